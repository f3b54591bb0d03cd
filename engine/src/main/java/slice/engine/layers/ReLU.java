package slice.engine.layers;

import slice.engine.Layer;

/** {@code y = min(max(x, 0), maxValue)}: Keras {@code ReLU(6.)} (MobileNetV2) or {@code Activation('relu')} (maxValue = ∞). */
public final class ReLU extends Layer {
    public final float maxValue;

    public ReLU(String name, Layer in, float maxValue) {
        super(name, in.outputShape(), in);
        this.maxValue = maxValue;
    }

    /** Plain ReLU. */
    public ReLU(String name, Layer in) {
        this(name, in, Float.POSITIVE_INFINITY);
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("ReLU.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("ReLU.backward: being written"); }

    @Override public String typeName() { return maxValue == Float.POSITIVE_INFINITY ? "Activation" : "ReLU"; }
}
