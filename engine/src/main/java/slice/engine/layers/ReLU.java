package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.ReluKernel;

/**
 * {@code y = min(max(x, 0), maxValue)}: Keras {@code ReLU(6.)} (MobileNetV2) or {@code Activation('relu')}
 * (maxValue = ∞). Any shape; elementwise.
 *
 * <p>Backward: {@code ∂L/∂x = ∂L/∂y · [0 < x < maxValue]} — the gradient of TensorFlow's {@code relu6_grad}
 * (zero at both kinks). Elementwise {@link ReluKernel}s over chunks of the flat tensor.
 *
 * <p>Right after a {@link BatchNorm} whose only consumer it is, a graph lets the norm do this layer's work, forward
 * and backward, and this layer does not run ({@link BatchNorm#canFuseWithGradient}).
 */
public final class ReLU extends Layer {
    /** Elements per parallel chunk: big enough that a task is worth its scheduling. */
    private static final int CHUNK = 1 << 15;
    private static final ReluKernel KERNEL = Kernels.RELU;

    public final float maxValue;

    public ReLU(String name, Layer in, float maxValue) {
        super(name, in.outputShape(), in);
        if (!(maxValue > 0)) throw new IllegalArgumentException(name + ": ReLU max value must be positive, got " + maxValue);
        this.maxValue = maxValue;
    }

    /** Plain ReLU. */
    public ReLU(String name, Layer in) {
        this(name, in, Float.POSITIVE_INFINITY);
    }

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data;
        float max = maxValue;
        Parallel.forRange(node.out().size(), CHUNK, (from, to) -> KERNEL.forward(x, y, from, to, max));
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        float[] x = node.in(0).data, dy = node.grad().data, dx = node.inGrad(0).data;
        float max = maxValue;
        boolean add = node.addsToInGrad(0);
        Parallel.forRange(node.out().size(), CHUNK, (from, to) -> KERNEL.backward(x, dy, dx, from, to, max, add));
    }

    @Override public String typeName() { return maxValue == Float.POSITIVE_INFINITY ? "Activation" : "ReLU"; }
}
