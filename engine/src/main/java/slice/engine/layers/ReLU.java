package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Parallel;

/**
 * {@code y = min(max(x, 0), maxValue)}: Keras {@code ReLU(6.)} (MobileNetV2) or {@code Activation('relu')}
 * (maxValue = ∞). Any shape; elementwise.
 *
 * <p>Backward: {@code ∂L/∂x = ∂L/∂y · [0 < x < maxValue]} — the gradient of TensorFlow's {@code relu6_grad}
 * (zero at both kinks). The loops are plain {@code float[]} loops that C2 auto-vectorises; the layer is
 * memory-bound, so it needs no hand-written vector kernel.
 */
public final class ReLU extends Layer {
    /** Elements per parallel chunk: big enough that a task is worth its scheduling. */
    private static final int CHUNK = 1 << 15;

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

    @Override public void forward(boolean training) {
        float[] x = inputs[0].out.data, y = out.data;
        float max = maxValue;
        Parallel.forRange(out.size(), CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) y[i] = Math.min(Math.max(x[i], 0f), max);
        });
    }

    @Override public void backward() {
        if (inputs[0].grad == null) return;
        float[] x = inputs[0].out.data, dy = grad.data, dx = inputs[0].grad.data;
        float max = maxValue;
        Parallel.forRange(out.size(), CHUNK, (from, to) -> {
            for (int i = from; i < to; i++) dx[i] += x[i] > 0f && x[i] < max ? dy[i] : 0f;
        });
    }

    @Override public String typeName() { return maxValue == Float.POSITIVE_INFINITY ? "Activation" : "ReLU"; }
}
