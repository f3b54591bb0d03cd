package slice.engine.layers;

import slice.engine.Layer;

/** Keras {@code AveragePooling2D(pool, strides, padding)}; with {@code SAME} padding, padded cells are not counted. */
public final class AveragePooling2D extends Layer {
    public final int pool, stride;
    public final Padding padding;

    public AveragePooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(in.outputShape()[0], pool, stride), padding.outSize(in.outputShape()[1], pool, stride), in.outputShape()[2]}, in);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("AveragePooling2D.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("AveragePooling2D.backward: being written"); }

    @Override public long macs() { return (long) outputSize() * pool * pool; }
}
