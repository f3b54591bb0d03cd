package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.AddKernel;
import slice.engine.kernels.Kernels;

/**
 * Keras {@code Add}: elementwise sum of k ≥ 2 inputs of one shape (residual connections).
 *
 * <p>Forward {@code y = x₀ + x₁ + … + x_{k−1}} (summed in input order). Backward: {@code ∂L/∂xᵢ = ∂L/∂y} for every
 * input, copied into each input's gradient or added to it ({@link Node#addsToInGrad}).
 */
public final class Add extends Layer {
    private static final int CHUNK = 1 << 15;
    private static final AddKernel KERNEL = Kernels.ADD;

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

    @Override public void forward(Node node, boolean training) {
        float[] y = node.out().data;
        Parallel.forRange(node.out().size(), CHUNK, (from, to) -> {
            System.arraycopy(node.in(0).data, from, y, from, to - from);
            for (int k = 1; k < inputs.length; k++) KERNEL.addInto(node.in(k).data, from, y, from, to - from);
        });
    }

    @Override public void backward(Node node) {
        float[] dy = node.grad().data;
        boolean[] add = new boolean[inputs.length];
        for (int k = 0; k < inputs.length; k++) add[k] = node.inGrad(k) != null && node.addsToInGrad(k);
        Parallel.forRange(node.out().size(), CHUNK, (from, to) -> {
            for (int k = 0; k < inputs.length; k++) {
                if (node.inGrad(k) == null) continue;
                if (add[k]) KERNEL.addInto(dy, from, node.inGrad(k).data, from, to - from);
                else System.arraycopy(dy, from, node.inGrad(k).data, from, to - from);
            }
        });
    }
}
