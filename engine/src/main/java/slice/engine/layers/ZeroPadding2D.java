package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.AddKernel;
import slice.engine.kernels.Kernels;

/**
 * Keras {@code ZeroPadding2D(((top, bottom), (left, right)))}: {@code [N, H, W, C] → [N, H+top+bottom, W+left+right, C]}.
 *
 * <p>Forward {@code y[n, y+top, x+left, c] = x[n, y, x, c]}, zero elsewhere. Backward is the crop:
 * {@code ∂L/∂x[n, y, x, c] (+)= ∂L/∂y[n, y+top, x+left, c]}. Each input row is one contiguous run of {@code W·C} floats.
 */
public final class ZeroPadding2D extends Layer {
    private static final AddKernel KERNEL = Kernels.ADD;
    public final int top, bottom, left, right;

    public ZeroPadding2D(String name, Layer in, int top, int bottom, int left, int right) {
        super(name, new int[] {imageShape(name, in)[0] + top + bottom, imageShape(name, in)[1] + left + right, imageShape(name, in)[2]}, in);
        if (top < 0 || bottom < 0 || left < 0 || right < 0) throw new IllegalArgumentException(name + ": negative padding");
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    @Override public void forward(Node node, boolean training) {
        int[] s = inputs[0].outputShape();
        int h = s[0], rowLen = s[1] * s[2];
        int[] o = outputShape();
        int oh = o[0], outRowLen = o[1] * o[2], leftLen = left * s[2];
        float[] x = node.in(0).data, y = node.out().data;
        // one task per output row: zero it, then copy the input row (if any) into its middle
        Parallel.forRange(node.batch() * oh, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                int n = r / oh, iy = r % oh - top;
                int dst = r * outRowLen;
                Arrays.fill(y, dst, dst + outRowLen, 0f);
                if (iy >= 0 && iy < h) System.arraycopy(x, (n * h + iy) * rowLen, y, dst + leftLen, rowLen);
            }
        });
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        int[] s = inputs[0].outputShape();
        int h = s[0], rowLen = s[1] * s[2];
        int[] o = outputShape();
        int oh = o[0], outRowLen = o[1] * o[2], leftLen = left * s[2];
        float[] dy = node.grad().data, dx = node.inGrad(0).data;
        boolean add = node.addsToInGrad(0);
        Parallel.forRange(node.batch() * h, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                int n = r / h, iy = r % h, src = (n * oh + iy + top) * outRowLen + leftLen;
                if (add) KERNEL.addInto(dy, src, dx, r * rowLen, rowLen);
                else System.arraycopy(dy, src, dx, r * rowLen, rowLen);
            }
        });
    }
}
