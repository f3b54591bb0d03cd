package slice.engine.layers;

import slice.engine.Layer;

/** Keras {@code MaxPooling2D(pool, strides, padding)}; padded cells never win. */
public final class MaxPooling2D extends Layer {
    public final int pool, stride;
    public final Padding padding;

    public MaxPooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(in.outputShape()[0], pool, stride), padding.outSize(in.outputShape()[1], pool, stride), in.outputShape()[2]}, in);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("MaxPooling2D.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("MaxPooling2D.backward: being written"); }
}
