package slice.engine;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node of a network: one Keras layer, with its forward pass and its backward pass side by side.
 *
 * <h2>The contract every layer keeps</h2>
 * <ul>
 *   <li>A layer holds its weights and nothing else. The activations, the gradients and any scratch kept between
 *       forward and backward belong to the {@link Graph} that runs it and reach the layer as a {@link Node}, so a
 *       layer can belong to several graphs at once. (One exception, as in Keras: a {@link slice.engine.layers.Dropout}
 *       keeps its mask generator, so graphs that share one draw their masks from one sequence.)</li>
 *   <li>Shapes are per sample, Keras style: {@link #outputShape()} is {@code [H, W, C]} for images or {@code [C]}
 *       for vectors; the batch dimension is the node's.</li>
 *   <li>{@link #forward} reads {@code node.in(i)} and overwrites {@code node.out()}, which already has the current
 *       batch size.</li>
 *   <li>{@link #backward} reads {@code node.grad()} (∂L/∂out, already summed over every consumer) and writes
 *       ∂L/∂input into {@code node.inGrad(i)} for each input whose gradient is non-null: it overwrites the buffer
 *       when {@code node.addsToInGrad(i)} is false (the first consumer to run) and adds to it when true (an input
 *       fanned out to several layers, like a residual, receives the sum of all of them; no buffer is zeroed first).
 *       If the layer is {@linkplain #isTrainable() trainable} it also <em>overwrites</em> the {@code grad}
 *       of each trainable {@link Param}.</li>
 *   <li>Buffers are allocated once, when a graph is planned, for its largest batch; {@link #newState} lets a layer
 *       ask for its scratch (batch statistics, dropout masks) at that moment: activations, gradients and scratch
 *       are not reallocated from one step to the next.</li>
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

    protected Layer(String name, int[] outputShape, Layer... inputs) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a layer needs a name");
        this.name = name;
        this.outputShape = outputShape.clone();
        this.inputs = inputs.clone();
        for (int d : outputShape) {
            if (d <= 0) throw new IllegalArgumentException(name + ": output shape " + Arrays.toString(outputShape) + " is empty");
        }
    }

    /**
     * {@code in}'s output shape, checked to be an image {@code [H, W, C]}: what a spatial layer named {@code name}
     * reads (a one-line error for a wrong input instead of an index out of bounds).
     */
    protected static int[] imageShape(String name, Layer in) {
        int[] s = in.outputShape();
        if (s.length != 3) {
            throw new IllegalArgumentException(name + " needs an [H, W, C] input, got " + Arrays.toString(s) + " from " + in.name);
        }
        return s;
    }

    /** Runs the layer on the current batch: {@code node.out() = f(node.in(0), …)}. */
    public abstract void forward(Node node, boolean training);

    /** Back-propagates {@code node.grad()}: writes or adds input gradients, overwrites parameter gradients (see class doc). */
    public abstract void backward(Node node);

    /** All weights in Keras order (e.g. gamma, beta, moving_mean, moving_variance), trainable or not. */
    public List<Param> weights() { return List.of(); }

    /** Multiply-accumulates per sample of the forward pass, for summaries and benchmarks. */
    public long macs() { return 0; }

    /**
     * The scratch this layer keeps in {@code node} between its forward and backward, sized for batches of up to
     * {@code batchCapacity} ({@link Node#state}); called once per plan, after the node's buffers and fusions are set.
     */
    protected Object newState(Node node, int batchCapacity) { return null; }

    /**
     * Inference fusion, asked by {@link Graph#plan}: {@code next} is the only consumer of the last layer of
     * {@code fusedSoFar} (or of this layer, when it is empty), and no gradient flows through any of them. True when
     * this layer can apply {@code next}'s map to its own output before storing it; {@code next} then does not run
     * and shares this layer's output buffer. Only the convolutions accept.
     */
    protected boolean canFuse(List<Layer> fusedSoFar, Layer next) { return false; }

    /**
     * Fusion the other way round, asked by {@link Graph#plan} in any plan: {@code producer} is this layer's only input
     * and this layer is its only consumer. True when this layer can do the producer's work in both passes by reading
     * the producer's own input ({@link Node#in} then gives that input) and writing that input's gradient
     * ({@link Node#inGrad}, {@link Node#addsToInGrad}): a depthwise convolution reading past the edges of an unpadded
     * image instead of a zero-padded copy, and scattering its input gradient straight into the unpadded gradient.
     */
    protected boolean canReadThrough(Layer producer) { return false; }

    /**
     * Training fusion, asked by {@link Graph#plan} for a layer no convolution took over: {@code next} is this layer's
     * only consumer and has no other input, and gradients may flow through both. True when this layer can apply
     * {@code next}'s map to its own output in its forward pass, and {@code next}'s backward to the gradient it
     * receives in its own backward pass; {@code next} then shares this layer's output and gradient buffers and runs
     * neither pass. Only the batch norm accepts (a ReLU after it).
     */
    protected boolean canFuseWithGradient(Layer next) { return false; }

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

    /** True when batch-dependent behaviour (batch-norm statistics, dropout) should run: training and not frozen. */
    protected final boolean trainingMode(boolean training) { return training && trainable; }

    /** Keras-like type name for summaries, e.g. {@code Conv2D}. */
    public String typeName() { return getClass().getSimpleName(); }

    @Override public String toString() { return name + " (" + typeName() + ") " + Arrays.toString(outputShape); }
}
