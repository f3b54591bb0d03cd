package slice.engine.layers;

import slice.engine.Layer;

/** Keras {@code GlobalAveragePooling2D}: {@code [H, W, C] → [C]}. */
public final class GlobalAveragePooling2D extends Layer {
    public GlobalAveragePooling2D(String name, Layer in) {
        super(name, new int[] {in.outputShape()[2]}, in);
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("GlobalAveragePooling2D.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("GlobalAveragePooling2D.backward: being written"); }
}
