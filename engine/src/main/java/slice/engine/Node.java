package slice.engine;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import slice.engine.kernels.RowSource;

/**
 * A layer as one {@link Graph} runs it: the buffers that graph owns for it. A layer keeps only its weights; every
 * activation, every gradient and whatever a layer saves between its forward and its backward (batch statistics, a
 * dropout mask) lives in a node, so two graphs that share layers (a backbone, its tail, the whole network) never
 * see each other's values — the role of llm.c's {@code ActivationTensors}.
 *
 * <p>What a layer reads and writes, for a batch of {@code N}:
 * <ul>
 *   <li>{@link #in}{@code (i)}: the output of input {@code i}, {@code [N, ...inputShape]};</li>
 *   <li>{@link #out}: this layer's output, {@code [N, ...outputShape]};</li>
 *   <li>{@link #grad}: ∂L/∂out, summed over every consumer, or {@code null} when no gradient flows here;</li>
 *   <li>{@link #inGrad}{@code (i)}: ∂L/∂in_i, or {@code null} when that input needs no gradient. An input may feed
 *       several layers (a residual), and its gradient is the sum of their shares: the first consumer to run its
 *       backward <em>overwrites</em> the buffer (whatever it held before is stale), the later ones <em>add</em> to
 *       it. A layer asks which with {@link #addsToInGrad}{@code (i)}, once per backward, before it writes;</li>
 *   <li>{@link #state}: the layer's own per-graph scratch ({@link Layer#newState}), or {@code null}.</li>
 * </ul>
 * A node may also carry the layers it applies after its own output ({@link #fusedAfter}: in an inference plan, a
 * convolution's batch norm and ReLU; in any plan, a batch norm's ReLU, whose backward it then performs too) and, in any
 * plan, the layer it reads through ({@link #readThrough}, forward and backward); see {@link Graph#plan}.
 */
public final class Node {
    public final Layer layer;
    private final Node[] inputs;
    Tensor out;
    Tensor grad;
    private final List<Layer> fusedAfter;
    private final Layer readThrough;
    private Object state;
    /**
     * Whether {@link #grad} holds a value of the current backward pass: cleared when a graph starts one, set by the
     * first consumer that writes it ({@link #addsToInGrad}).
     */
    boolean gradWritten;
    /**
     * Whether exactly one layer reads this node's output, on its own buffers (no read-through): that consumer may then
     * hand ∂L/∂out over as rows computed when read ({@link #deferInGrad}). Set by the graph's plan.
     */
    boolean soleConsumer;
    /** ∂L/∂out as its sole consumer deferred it in this backward, not yet in {@link #grad}; null otherwise. */
    RowSource pendingGrad;
    /** Pass numbers handed out so far, by every graph and detached node ({@link #newPass}). */
    private static final AtomicLong PASSES = new AtomicLong();
    /** The forward pass this node's current forward belongs to ({@link #pass}). */
    long pass;

    Node(Layer layer, Node[] inputs, Tensor out, Tensor grad, List<Layer> fusedAfter, Layer readThrough) {
        this.layer = layer;
        this.inputs = inputs;
        this.out = out;
        this.grad = grad;
        this.fusedAfter = List.copyOf(fusedAfter);
        this.readThrough = readThrough;
    }

    /**
     * A layer run on its own, outside any graph (layer tests and kernel benchmarks): its inputs are the given tensors
     * with zeroed gradients, and it gets an output, a gradient and its scratch for their batch. The input gradients
     * count as written ({@link #addsToInGrad} is true): every backward adds into them.
     */
    public static Node detached(Layer layer, Tensor... inputs) {
        Tensor[] inputGrads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) inputGrads[i] = new Tensor(inputs[i].shape());
        return detached(layer, inputs, inputGrads);
    }

    /** {@link #detached(Layer, Tensor...)} with the given input gradients ({@code null} where none is wanted). */
    public static Node detached(Layer layer, Tensor[] inputs, Tensor[] inputGrads) {
        return detached(layer, null, inputs, inputGrads);
    }

    /**
     * {@link #detached(Layer, Tensor[], Tensor[])} for {@code layer} followed by {@code next}, its only consumer, fused
     * as a graph's training fusion fuses them ({@link Layer#canFuseWithGradient}): the output and gradient are
     * {@code next}'s, and the node's forward and backward are those of both layers.
     */
    public static Node detachedWith(Layer layer, Layer next, Tensor[] inputs, Tensor[] inputGrads) {
        if (next.inputs.length != 1 || next.inputs[0] != layer || !layer.canFuseWithGradient(next)) {
            throw new IllegalArgumentException(layer.name + " cannot apply " + next.name + " after itself");
        }
        return detached(layer, next, inputs, inputGrads);
    }

    private static Node detached(Layer layer, Layer next, Tensor[] inputs, Tensor[] inputGrads) {
        if (inputs.length != layer.inputs.length || inputGrads.length != inputs.length) {
            throw new IllegalArgumentException(layer.name + " has " + layer.inputs.length + " inputs, got " + inputs.length);
        }
        Node[] in = new Node[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = new Node(layer.inputs[i], new Node[0], inputs[i], inputGrads[i], List.of(), null);
            in[i].gradWritten = true;
        }
        int[] shape = Tensor.withBatch(inputs[0].dim(0), layer.outputShape());
        Node node = new Node(layer, in, new Tensor(shape), new Tensor(shape), next == null ? List.of() : List.of(next), null);
        node.planState(inputs[0].dim(0));
        return node;
    }

    /** Asks the layer for its scratch, sized for batches of up to {@code batchCapacity}. */
    void planState(int batchCapacity) {
        state = layer.newState(this, batchCapacity);
    }

    /** The output of input {@code i} (with a {@link #readThrough}: the read-through layer's own input). */
    public Tensor in(int i) { return input(i).out; }

    /**
     * ∂L/∂in_i, or {@code null} when input {@code i} needs no gradient; {@link #addsToInGrad} says how to write it.
     * With a {@link #readThrough}: the gradient of the read-through layer's own input.
     */
    public Tensor inGrad(int i) { return input(i).grad; }

    /** The node whose output {@link #in}{@code (i)} is and whose gradient {@link #inGrad}{@code (i)} is. */
    private Node input(int i) { return i == 0 && readThrough != null ? inputs[0].inputs[0] : inputs[i]; }

    /**
     * Claims ∂L/∂in_i for this backward. True when another consumer of input {@code i} has already written its share
     * in this pass: the caller adds into {@link #inGrad}{@code (i)}. False when the buffer holds stale values: the
     * caller overwrites it. Either way the gradient counts as written afterwards, so a layer asks once per input
     * and backward, before writing, and then writes every element (a scatter that skips some zeroes them first).
     */
    public boolean addsToInGrad(int i) {
        Node in = input(i);
        boolean written = in.gradWritten;
        in.gradWritten = true;
        return written;
    }

    /**
     * Whether this layer may hand ∂L/∂in_i over as rows ({@link #deferInGrad}) instead of writing it: the layer is the
     * input's sole consumer in a planned graph, and the input's gradient has not been written in this backward.
     */
    public boolean canDeferInGrad(int i) {
        Node in = input(i);
        return in.soleConsumer && in.grad != null && !in.gradWritten;
    }

    /**
     * Hands ∂L/∂in_i over as {@code rows}, computed when read, instead of writing it ({@link #canDeferInGrad} must
     * hold; the gradient then counts as written): the input's layer may consume them chunk by chunk
     * ({@link #gradRows}) while each chunk is in cache, and {@link #grad} writes them all when it is asked for.
     */
    public void deferInGrad(int i, RowSource rows) {
        if (!canDeferInGrad(i)) throw new IllegalStateException(layer.name + " cannot defer the gradient of its input " + i);
        Node in = input(i);
        in.gradWritten = true;
        in.pendingGrad = rows;
    }

    public Tensor out() { return out; }

    /**
     * ∂L/∂out, or {@code null} when no gradient flows through this layer; a gradient its consumer deferred
     * ({@link #deferInGrad}) is written into the buffer first.
     */
    public Tensor grad() {
        RowSource rows = gradRows();
        if (rows != null) rows.fillAll(grad.data);
        return grad;
    }

    /**
     * ∂L/∂out as the rows its sole consumer deferred ({@link #deferInGrad}), taken over by the caller, who computes
     * them (the buffer {@link #grad} is then not written); null when the gradient is in the buffer.
     */
    public RowSource gradRows() {
        RowSource rows = pendingGrad;
        pendingGrad = null;
        return rows;
    }

    /** Number of inputs. */
    public int inputCount() { return inputs.length; }

    /** Batch size of the current pass. */
    public int batch() { return out.dim(0); }

    /** The layers, in order, whose maps this layer applies to its output before storing it (empty when none). */
    public List<Layer> fusedAfter() { return fusedAfter; }

    /** The layer whose work this layer does by reading that layer's input ({@link Layer#canReadThrough}), or null. */
    public Layer readThrough() { return readThrough; }

    /** The layer's scratch in this graph, as {@link Layer#newState} made it. */
    public Object state() { return state; }

    /**
     * The forward pass the node's current forward belongs to: the number its graph's {@link Graph#forward} call took
     * (an inference plan runs every slice of a batch in one pass), or the one its own {@link #forward} call took. Every
     * pass takes a new number ({@link #newPass}), so a node run both ways never sees an old pass's number again. No
     * weight changes within a pass, so a layer may keep what it derives from its weights alone in its {@link #state}
     * for the rest of the pass (a Winograd kernel transform).
     */
    public long pass() { return pass; }

    /** A pass number not handed out before, in this process. */
    static long newPass() { return PASSES.incrementAndGet(); }

    /** Runs the layer's forward pass on this node's buffers, as a pass of its own ({@link #pass}). */
    public void forward(boolean training) {
        pass = newPass();
        layer.forward(this, training);
    }

    /** Runs the layer's backward pass on this node's buffers. */
    public void backward() { layer.backward(this); }

    @Override public String toString() { return "node " + layer; }
}
