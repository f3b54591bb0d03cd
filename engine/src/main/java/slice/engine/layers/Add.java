package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;

/** Keras {@code Add}: elementwise sum of inputs of one shape (residual connections). */
public final class Add extends Layer {
    public Add(String name, Layer... in) {
        super(name, checkSame(name, in), in);
    }

    private static int[] checkSame(String name, Layer[] in) {
        if (in.length < 2) throw new IllegalArgumentException(name + ": Add needs at least two inputs");
        for (Layer l : in) {
            if (!Arrays.equals(l.outputShape(), in[0].outputShape())) {
                throw new IllegalArgumentException(name + ": cannot add " + Arrays.toString(in[0].outputShape()) + " and " + Arrays.toString(l.outputShape()));
            }
        }
        return in[0].outputShape();
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("Add.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("Add.backward: being written"); }
}
