package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Parallel;

/**
 * Keras {@code MaxPooling2D(pool, strides, padding)}: {@code [N, H, W, C] → [N, OH, OW, C]}.
 *
 * <p>Forward {@code y[n, oy, ox, c] = max x[n, oy·s − pt + ky, ox·s − pl + kx, c]} over the window cells inside the
 * input — padded cells never win (TensorFlow pads max pooling with −∞). The winning input index is kept in scratch
 * ({@link #plan}); on ties the first cell in (ky, kx) order wins. Backward routes each output gradient to its winner:
 * {@code ∂L/∂x[argmax(n, oy, ox, c)] += ∂L/∂y[n, oy, ox, c]}, scattered in output order, images in parallel (an
 * image's outputs only route into that image, so the threads write disjoint parts of the gradient).
 * Scalar loops with channels innermost: the layer is memory-bound.
 */
public final class MaxPooling2D extends Layer {
    public final int pool, stride;
    public final Padding padding;
    private final int h, w, c, oh, ow, padTop, padLeft;
    /** Flat input index of each output's winner, {@code [N, OH, OW, C]}. */
    private int[] argmax;

    public MaxPooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(in.outputShape()[0], pool, stride), padding.outSize(in.outputShape()[1], pool, stride), in.outputShape()[2]}, in);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
        int[] s = in.outputShape(), o = outputShape();
        h = s[0];
        w = s[1];
        c = s[2];
        oh = o[0];
        ow = o[1];
        padTop = padding.padBefore(h, pool, stride);
        padLeft = padding.padBefore(w, pool, stride);
    }

    @Override protected void plan(int batchCapacity) {
        argmax = new int[batchCapacity * outputSize()];
    }

    @Override public void forward(boolean training) {
        float[] x = inputs[0].out.data, y = out.data;
        Parallel.forRange(batch() * oh, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int n = r / oh, iy0 = (r % oh) * stride - padTop;
                int kyLo = Math.max(0, -iy0), kyHi = Math.min(pool, h - iy0);
                for (int ox = 0; ox < ow; ox++) {
                    int ix0 = ox * stride - padLeft;
                    int kxLo = Math.max(0, -ix0), kxHi = Math.min(pool, w - ix0);
                    int o = (r * ow + ox) * c;
                    boolean first = true;
                    for (int ky = kyLo; ky < kyHi; ky++) {
                        for (int kx = kxLo; kx < kxHi; kx++) {
                            int i = ((n * h + iy0 + ky) * w + ix0 + kx) * c;
                            for (int ch = 0; ch < c; ch++) {
                                if (first || x[i + ch] > y[o + ch]) {
                                    y[o + ch] = x[i + ch];
                                    argmax[o + ch] = i + ch;
                                }
                            }
                            first = false;
                        }
                    }
                }
            }
        });
    }

    @Override public void backward() {
        if (inputs[0].grad == null) return;
        float[] dy = grad.data, dx = inputs[0].grad.data;
        int perImage = outputSize();
        Parallel.forRange(batch(), (n0, n1) -> {
            for (int o = n0 * perImage; o < n1 * perImage; o++) dx[argmax[o]] += dy[o];
        });
    }
}
