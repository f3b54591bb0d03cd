package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;

/** Keras {@code Concatenate(axis=-1)}: channels of the inputs, in input order (Inception's branches). */
public final class Concatenate extends Layer {
    public Concatenate(String name, Layer... in) {
        super(name, concatShape(name, in), in);
    }

    private static int[] concatShape(String name, Layer[] in) {
        int[] s = in[0].outputShape();
        int c = 0;
        for (Layer l : in) {
            int[] t = l.outputShape();
            if (t.length != s.length || !Arrays.equals(Arrays.copyOf(t, t.length - 1), Arrays.copyOf(s, s.length - 1))) {
                throw new IllegalArgumentException(name + ": cannot concatenate " + Arrays.toString(s) + " and " + Arrays.toString(t));
            }
            c += t[t.length - 1];
        }
        s[s.length - 1] = c;
        return s;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("Concatenate.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("Concatenate.backward: being written"); }
}
