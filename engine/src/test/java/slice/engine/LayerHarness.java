package slice.engine;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs one layer outside a {@link Graph}, on a {@link Node#detached} node: its inputs are given tensors, its own
 * buffers and scratch are allocated for their batch as a graph would. The harness remembers the node of each layer's
 * last {@link #forward}, so that {@link #backward} runs on the same buffers.
 */
public final class LayerHarness {
    private static final Map<Layer, Node> LAST = Collections.synchronizedMap(new IdentityHashMap<>());

    private LayerHarness() { }

    /** Runs forward on {@code xs} in a fresh node; returns its output. */
    public static Tensor forward(Layer layer, boolean training, Tensor... xs) {
        Node node = Node.detached(layer, xs);
        LAST.put(layer, node);
        layer.forward(node, training);
        return node.out();
    }

    /**
     * Forward and backward on a node whose input wants no gradient (a layer right after a frozen prefix): only the
     * parameter gradients are computed.
     */
    public static void backwardWithoutInputGradient(Layer layer, Tensor x, Tensor dy) {
        Node node = Node.detached(layer, new Tensor[] {x}, new Tensor[] {null});
        layer.forward(node, true);
        System.arraycopy(dy.data, 0, node.grad().data, 0, dy.size());
        layer.backward(node);
    }

    /** The node of {@code layer}'s last {@link #forward}. */
    public static Node lastNode(Layer layer) {
        Node node = LAST.get(layer);
        if (node == null) throw new IllegalStateException("run forward first");
        return node;
    }

    /** Runs backward with ∂L/∂out = {@code dy} on the last forward's node; returns the input gradients (zero before). */
    public static Tensor[] backward(Layer layer, Tensor dy) {
        Node node = lastNode(layer);
        System.arraycopy(dy.data, 0, node.grad().data, 0, dy.size());
        layer.backward(node);
        Tensor[] dx = new Tensor[node.inputCount()];
        for (int i = 0; i < dx.length; i++) dx[i] = node.inGrad(i);
        return dx;
    }

    /** The buffer graph {@code g} gives layer {@code l}'s output (whatever it holds). */
    public static Tensor buffer(Graph g, Layer l) {
        return g.nodes().stream().filter(n -> n.layer == l).findFirst().orElseThrow().out();
    }

    /** ∂L/∂out of layer {@code l} in graph {@code g}, or null when no gradient flows there. */
    public static Tensor gradient(Graph g, Layer l) {
        return g.nodes().stream().filter(n -> n.layer == l).findFirst().orElseThrow().grad();
    }

    /**
     * Runs {@code run} (which builds and runs layers, returning every number it produced) with one engine thread
     * and with two, and asserts bit-identical results: kernels split only disjoint outputs.
     */
    public static void assertSameForAnyThreadCount(java.util.function.Supplier<float[]> run) {
        float[][] results = new float[3][];
        atOneAndTwoThreads(threads -> results[threads] = run.get());
        org.junit.jupiter.api.Assertions.assertArrayEquals(results[1], results[2], "1 thread vs 2 threads");
    }

    /** Runs {@code run} with one engine thread, then with two (its argument), and restores the thread count after. */
    public static void atOneAndTwoThreads(java.util.function.IntConsumer run) {
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                run.accept(threads);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Fills {@code g}'s weights from {@code seed} and returns it: moving variances uniform in [0.2, 2.2) (so that a
     * norm divides by a number of order 1), every other weight uniform in [-scale, scale).
     */
    public static Graph withRandomWeights(Graph g, long seed, float scale) {
        java.util.Random rnd = new java.util.Random(seed);
        for (Param p : g.weights()) {
            boolean variance = p.name.endsWith("moving_variance");
            for (int i = 0; i < p.value.size(); i++) {
                p.value.data[i] = variance ? 0.2f + 2 * rnd.nextFloat() : (rnd.nextFloat() * 2 - 1) * scale;
            }
        }
        return g;
    }
}
