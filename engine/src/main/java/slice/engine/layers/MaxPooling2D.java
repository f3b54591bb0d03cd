package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Parallel;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.WindowGeometry;

/**
 * Keras {@code MaxPooling2D(pool, strides, padding)}: {@code [N, H, W, C] → [N, OH, OW, C]}.
 *
 * <p>Forward {@code y[n, oy, ox, c] = max x[n, oy·s − pt + ky, ox·s − pl + kx, c]} over the window cells inside the
 * input — padded cells never win (TensorFlow pads max pooling with −∞). Backward routes each output gradient to its
 * winner, the first window cell in (ky, kx) order that equals the output:
 * {@code ∂L/∂x[argmax(n, oy, ox, c)] += ∂L/∂y[n, oy, ox, c]}, scattered in output order, images in parallel (an
 * image's outputs only route into that image, so the threads write disjoint parts of the gradient). The winner is
 * found again in backward rather than remembered in forward: forward stays a plain running max, the hot path of
 * inference, and backward rescans a window only where it is needed.
 * The forward loops are a {@link PoolKernel} (channels are the vector lanes), split over output rows.
 */
public final class MaxPooling2D extends Layer {
    private static final PoolKernel KERNEL = Kernels.POOL;

    public final int pool, stride;
    public final Padding padding;
    private final WindowGeometry geometry;

    public MaxPooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(in.outputShape()[0], pool, stride), padding.outSize(in.outputShape()[1], pool, stride), in.outputShape()[2]}, in);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
        this.geometry = windowOf(in.outputShape(), outputShape(), pool, stride, padding);
    }

    /** The pooling window of a {@code pool × pool}, stride {@code stride} layer from {@code in} to {@code out} ([H, W, C]). */
    static WindowGeometry windowOf(int[] in, int[] out, int pool, int stride, Padding padding) {
        return new WindowGeometry(in[0], in[1], in[2], pool, pool, stride,
                padding.padBefore(in[0], pool, stride), padding.padBefore(in[1], pool, stride), out[0], out[1]);
    }

    @Override public void forward(boolean training) {
        float[] x = inputs[0].out.data, y = out.data;
        Parallel.forRange(batch() * geometry.outH, (r0, r1) -> KERNEL.maxForward(geometry, x, y, r0, r1));
    }

    @Override public void backward() {
        if (inputs[0].grad == null) return;
        float[] x = inputs[0].out.data, y = out.data, dy = grad.data, dx = inputs[0].grad.data;
        WindowGeometry g = geometry;
        int c = g.channels;
        Parallel.forRange(batch(), (n0, n1) -> {
            for (int r = n0 * g.outH; r < n1 * g.outH; r++) {
                int n = r / g.outH, iy0 = (r % g.outH) * g.stride - g.padTop;
                int kyLo = WindowGeometry.firstTap(iy0), kyHi = WindowGeometry.endTap(iy0, g.h, g.kh);
                for (int ox = 0; ox < g.outW; ox++) {
                    int ix0 = ox * g.stride - g.padLeft;
                    int kxLo = WindowGeometry.firstTap(ix0), kxHi = WindowGeometry.endTap(ix0, g.w, g.kw);
                    int o = (r * g.outW + ox) * c, in0 = ((n * g.h + iy0) * g.w + ix0) * c;
                    for (int ch = 0; ch < c; ch++) {
                        dx[winner(x, y[o + ch], in0 + ch, c, g.w, kyLo, kyHi, kxLo, kxHi)] += dy[o + ch];
                    }
                }
            }
        });
    }

    /** Flat index of the first cell in (ky, kx) order whose value is {@code max} (the first cell if none is, e.g. NaN). */
    private static int winner(float[] x, float max, int base, int c, int w, int kyLo, int kyHi, int kxLo, int kxHi) {
        for (int ky = kyLo; ky < kyHi; ky++) {
            for (int kx = kxLo; kx < kxHi; kx++) {
                int i = base + (ky * w + kx) * c;
                if (x[i] == max) return i;
            }
        }
        return base + (kyLo * w + kxLo) * c;
    }
}
