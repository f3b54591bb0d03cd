package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;

/**
 * Keras {@code GlobalAveragePooling2D}: {@code [N, H, W, C] → [N, C]}.
 *
 * <p>Forward {@code y[n, c] = (1/HW) Σ_{y,x} x[n, y, x, c]} (summed pixel by pixel, channels innermost, then scaled).
 * Backward {@code ∂L/∂x[n, y, x, c] (+)= ∂L/∂y[n, c] / HW}.
 */
public final class GlobalAveragePooling2D extends Layer {
    public GlobalAveragePooling2D(String name, Layer in) {
        super(name, new int[] {imageShape(name, in)[2]}, in);
    }

    @Override public void forward(Node node, boolean training) {
        int[] s = inputs[0].outputShape();
        int pixels = s[0] * s[1], c = s[2];
        float[] x = node.in(0).data, y = node.out().data;
        float scale = 1f / pixels;
        Parallel.forRange(node.batch(), (from, to) -> {
            for (int n = from; n < to; n++) {
                int yo = n * c;
                for (int k = 0; k < c; k++) y[yo + k] = 0f;
                for (int p = 0; p < pixels; p++) {
                    int xo = (n * pixels + p) * c;
                    for (int k = 0; k < c; k++) y[yo + k] += x[xo + k];
                }
                for (int k = 0; k < c; k++) y[yo + k] *= scale;
            }
        });
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        int[] s = inputs[0].outputShape();
        int pixels = s[0] * s[1], c = s[2];
        float[] dy = node.grad().data, dx = node.inGrad(0).data;
        float scale = 1f / pixels;
        boolean add = node.addsToInGrad(0);
        Parallel.forRange(node.batch() * pixels, 64, (from, to) -> {
            for (int r = from; r < to; r++) {
                int yo = (r / pixels) * c, xo = r * c;
                for (int k = 0; k < c; k++) dx[xo + k] = (add ? dx[xo + k] : 0f) + dy[yo + k] * scale;
            }
        });
    }
}
