package slice.engine;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node of a network: one Keras layer, with its forward pass and its backward pass side by side.
 *
 * <h2>The contract every layer keeps</h2>
 * <ul>
 *   <li>Shapes are per sample, Keras style: {@link #outputShape()} is {@code [H, W, C]} for images or {@code [C]}
 *       for vectors; the batch dimension is added by the {@link Graph} that owns the buffers.</li>
 *   <li>{@link #forward} reads {@code inputs[i].out} and overwrites {@link #out}. When the graph calls it,
 *       {@code out} already has the current batch size.</li>
 *   <li>{@link #backward} reads {@link #grad} (∂L/∂out, already summed over every consumer) and
 *       <em>adds</em> ∂L/∂input into {@code inputs[i].grad} for each input whose {@code grad} is non-null
 *       (an input fanned out to several layers, like a residual, receives the sum of all of them).
 *       If the layer is {@linkplain #isTrainable() trainable} it also <em>overwrites</em> the {@code grad}
 *       of each trainable {@link Param}.</li>
 *   <li>Buffers are allocated once, by {@link Graph#plan}, for the largest batch; {@link #plan} lets a layer
 *       allocate its own scratch (batch statistics, pooling indices, dropout masks) at that moment, so a
 *       steady-state training step allocates nothing.</li>
 *   <li>A frozen layer ({@code setTrainable(false)}) computes no parameter gradients, and layers whose
 *       behaviour differs in training (batch norm, dropout) run in inference mode — the Keras rule that makes
 *       a frozen backbone a pure function of its input.</li>
 * </ul>
 * Layers are created in topological order (every input before its consumer); the creation counter gives
 * the graph its execution order.
 */
public abstract class Layer {
    private static final AtomicLong CREATED = new AtomicLong();

    /** Creation order, used by {@link Graph} as the topological order. */
    final long order = CREATED.getAndIncrement();
    public final String name;
    protected final Layer[] inputs;
    private final int[] outputShape;
    private boolean trainable = true;

    /** This layer's output, {@code [N, ...outputShape]}; allocated by {@link Graph#plan}. */
    public Tensor out;
    /** ∂L/∂{@link #out}, or {@code null} when no gradient has to flow through this layer. */
    public Tensor grad;

    protected Layer(String name, int[] outputShape, Layer... inputs) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a layer needs a name");
        this.name = name;
        this.outputShape = outputShape.clone();
        this.inputs = inputs.clone();
        for (int d : outputShape) {
            if (d <= 0) throw new IllegalArgumentException(name + ": output shape " + Arrays.toString(outputShape) + " is empty");
        }
    }

    /** Runs the layer on the current batch: {@code out = f(inputs)}. */
    public abstract void forward(boolean training);

    /** Back-propagates {@link #grad}: adds input gradients, overwrites parameter gradients (see class doc). */
    public abstract void backward();

    /** All weights in Keras order (e.g. gamma, beta, moving_mean, moving_variance), trainable or not. */
    public List<Param> weights() { return List.of(); }

    /** Multiply-accumulates per sample of the forward pass, for summaries and benchmarks. */
    public long macs() { return 0; }

    /** Called by the graph after it allocated {@link #out}: allocate scratch sized for {@code batchCapacity}. */
    protected void plan(int batchCapacity) { }

    /**
     * Inference fusion, offered by {@link Graph#plan}: {@code next} is the only consumer of this layer's output, and
     * no gradient flows through either. Returns true when this layer takes {@code next}'s map over: from now on its
     * own forward applies {@code next} to its output, in place, and {@code next} does not run (it shares this
     * layer's output buffer). Only layers that can apply such a map in their own loops (the convolutions) accept.
     */
    protected boolean fuse(Layer next) { return false; }

    /**
     * Inference fusion the other way round, offered by {@link Graph#plan}: {@code producer} is this layer's only input,
     * this layer is its only consumer, and no gradient flows through either. Returns true when this layer takes the
     * producer's work over by reading the producer's own input (a depthwise convolution reading past the edges of an
     * unpadded image instead of a zero-padded copy); {@code producer} then does not run.
     */
    protected boolean fuseInput(Layer producer) { return false; }

    /** Drops whatever an earlier {@link #fuse} or {@link #fuseInput} took over (each plan decides afresh). */
    protected void unfuse() { }

    /** Per-sample output shape (a copy). */
    public final int[] outputShape() { return outputShape.clone(); }

    /** Elements per sample of the output. */
    public final int outputSize() {
        int s = 1;
        for (int d : outputShape) s *= d;
        return s;
    }

    public final List<Layer> inputs() { return List.of(inputs); }

    public final boolean isTrainable() { return trainable; }

    public final void setTrainable(boolean trainable) { this.trainable = trainable; }

    /** Batch size of the current pass (dimension 0 of {@link #out}). */
    protected final int batch() { return out.dim(0); }

    /** True when batch-dependent behaviour (batch-norm statistics, dropout) should run: training and not frozen. */
    protected final boolean trainingMode(boolean training) { return training && trainable; }

    /** Keras-like type name for summaries, e.g. {@code Conv2D}. */
    public String typeName() { return getClass().getSimpleName(); }

    @Override public String toString() { return name + " (" + typeName() + ") " + Arrays.toString(outputShape); }
}
