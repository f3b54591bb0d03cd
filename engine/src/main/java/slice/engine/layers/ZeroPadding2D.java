package slice.engine.layers;

import slice.engine.Layer;

/** Keras {@code ZeroPadding2D(((top, bottom), (left, right)))}. */
public final class ZeroPadding2D extends Layer {
    public final int top, bottom, left, right;

    public ZeroPadding2D(String name, Layer in, int top, int bottom, int left, int right) {
        super(name, new int[] {in.outputShape()[0] + top + bottom, in.outputShape()[1] + left + right, in.outputShape()[2]}, in);
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("ZeroPadding2D.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("ZeroPadding2D.backward: being written"); }
}
