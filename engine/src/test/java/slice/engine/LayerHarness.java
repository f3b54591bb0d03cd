package slice.engine;

/**
 * Runs one layer outside a {@link Graph}: its inputs' outputs are given tensors, its own buffers are allocated
 * for the given batch, and {@link Layer#plan} is called as the graph would.
 */
public final class LayerHarness {
    private LayerHarness() { }

    /** Sets the inputs' outputs to {@code xs}, allocates the layer's buffers and scratch, runs forward, returns out. */
    public static Tensor forward(Layer layer, boolean training, Tensor... xs) {
        if (xs.length != layer.inputs.length) throw new IllegalArgumentException("layer has " + layer.inputs.length + " inputs");
        for (int i = 0; i < xs.length; i++) layer.inputs[i].out = xs[i];
        int n = xs[0].dim(0);
        layer.out = new Tensor(GradCheck.batchShape(n, layer.outputShape()));
        layer.grad = new Tensor(GradCheck.batchShape(n, layer.outputShape()));
        layer.plan(n);
        layer.forward(training);
        return layer.out;
    }

    /** Zeroes fresh input gradients, runs backward with ∂L/∂out = {@code dy}, returns the input gradients. */
    public static Tensor[] backward(Layer layer, Tensor dy) {
        Tensor[] dx = new Tensor[layer.inputs.length];
        for (int i = 0; i < dx.length; i++) {
            Layer in = layer.inputs[i];
            in.grad = new Tensor(in.out.shape());
            dx[i] = in.grad;
        }
        System.arraycopy(dy.data, 0, layer.grad.data, 0, dy.size());
        layer.backward();
        return dx;
    }

    /**
     * Runs {@code run} (which builds and runs layers, returning every number it produced) with one engine thread
     * and with two, and asserts bit-identical results: kernels split only disjoint outputs.
     */
    public static void assertSameForAnyThreadCount(java.util.function.Supplier<float[]> run) {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = run.get();
            Parallel.setThreads(2);
            org.junit.jupiter.api.Assertions.assertArrayEquals(one, run.get(), "1 thread vs 2 threads");
        } finally {
            Parallel.setThreads(before);
        }
    }
}
