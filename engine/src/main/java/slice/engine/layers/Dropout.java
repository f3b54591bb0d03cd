package slice.engine.layers;

import slice.engine.Layer;

/** Keras {@code Dropout(rate)}: in training, zeroes each element with probability {@code rate} and scales the rest by {@code 1/(1-rate)}. */
public final class Dropout extends Layer {
    public final float rate;
    public final long seed;

    public Dropout(String name, Layer in, float rate, long seed) {
        super(name, in.outputShape(), in);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(name + ": dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.seed = seed;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("Dropout.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("Dropout.backward: being written"); }
}
