package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.ReluKernel;

/**
 * Keras {@code LeakyReLU(alpha)}: {@code y = x > 0 ? x : α·x} with {@code 0 ≤ α < 1} (the Tiny Face Detector uses
 * α = 0.1). Any shape; elementwise.
 *
 * <p>Backward: {@code ∂L/∂x = ∂L/∂y · (x > 0 ? 1 : α)}. Elementwise {@link ReluKernel}s over chunks of the flat tensor.
 */
public final class LeakyReLU extends Layer {
    /** Elements per parallel chunk: big enough that a task is worth its scheduling. */
    private static final int CHUNK = 1 << 15;
    private static final ReluKernel KERNEL = Kernels.RELU;

    public final float alpha;

    public LeakyReLU(String name, Layer in, float alpha) {
        super(name, in.outputShape(), in);
        if (!(alpha >= 0 && alpha < 1)) throw new IllegalArgumentException(name + ": leaky ReLU slope must be in [0, 1), got " + alpha);
        this.alpha = alpha;
    }

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data;
        Parallel.forRange(node.out().size(), CHUNK, (from, to) -> KERNEL.leakyForward(x, y, from, to, alpha));
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        float[] x = node.in(0).data, dy = node.grad().data, dx = node.inGrad(0).data;
        boolean add = node.addsToInGrad(0);
        Parallel.forRange(node.out().size(), CHUNK, (from, to) -> KERNEL.leakyBackward(x, dy, dx, from, to, alpha, add));
    }
}
