package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.AddKernel;
import slice.engine.kernels.Kernels;

/**
 * Keras {@code Concatenate(axis=-1)}: the channels of the inputs, in input order (Inception's branches).
 *
 * <p>Shapes: inputs {@code [N, …, Cᵢ]} with equal leading dimensions, output {@code [N, …, ΣCᵢ]}. For each pixel
 * {@code p} (all positions but the channel), {@code y[p, offᵢ + c] = xᵢ[p, c]} with {@code offᵢ = C₀ + … + C_{i−1}}.
 * Backward slices the gradient the same way: {@code ∂L/∂xᵢ[p, c] (+)= ∂L/∂y[p, offᵢ + c]}.
 */
public final class Concatenate extends Layer {
    /** Pixels per parallel chunk. */
    private static final int CHUNK = 256;
    private static final AddKernel KERNEL = Kernels.ADD;

    public Concatenate(String name, Layer... in) {
        super(name, concatShape(name, in), in);
    }

    private static int[] concatShape(String name, Layer[] in) {
        if (in.length < 1) throw new IllegalArgumentException(name + ": Concatenate needs inputs");
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

    private int channels(Layer l) {
        int[] s = l.outputShape();
        return s[s.length - 1];
    }

    @Override public void forward(Node node, boolean training) {
        int cOut = channels(this);
        float[] y = node.out().data;
        forEachInputSlice(node, (k, c, offset, from, to) -> {
            float[] x = node.in(k).data;
            for (int p = from; p < to; p++) System.arraycopy(x, p * c, y, p * cOut + offset, c);
        });
    }

    @Override public void backward(Node node) {
        int cOut = channels(this);
        float[] dy = node.grad().data;
        boolean[] add = new boolean[inputs.length];
        for (int k = 0; k < inputs.length; k++) add[k] = node.inGrad(k) != null && node.addsToInGrad(k);
        forEachInputSlice(node, (k, c, offset, from, to) -> {
            if (node.inGrad(k) == null) return;
            float[] dx = node.inGrad(k).data;
            for (int p = from; p < to; p++) {
                if (add[k]) KERNEL.addInto(dy, p * cOut + offset, dx, p * c, c);
                else System.arraycopy(dy, p * cOut + offset, dx, p * c, c);
            }
        });
    }

    /** The part of the output that input {@code k} fills: its {@code c} channels from {@code offset}, pixels [from, to). */
    private interface InputSlice {
        void run(int k, int c, int offset, int from, int to);
    }

    /** Runs {@code slice} for every input, in order, on chunks of the output's pixels in parallel. */
    private void forEachInputSlice(Node node, InputSlice slice) {
        int pixels = node.out().size() / channels(this);
        Parallel.forRange(pixels, CHUNK, (from, to) -> {
            int offset = 0;
            for (int k = 0; k < inputs.length; k++) {
                int c = channels(inputs[k]);
                slice.run(k, c, offset, from, to);
                offset += c;
            }
        });
    }
}
