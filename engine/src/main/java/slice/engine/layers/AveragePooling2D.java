package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Parallel;

/**
 * Keras {@code AveragePooling2D(pool, strides, padding)}: {@code [N, H, W, C] → [N, OH, OW, C]}.
 *
 * <p>Forward {@code y[n, oy, ox, c] = (1/|V|) Σ_{(iy, ix) ∈ V} x[n, iy, ix, c]} where {@code V} is the set of window
 * cells inside the input: with {@code SAME} padding the padded cells are not counted (TensorFlow semantics, so a 3×3
 * corner averages 4 cells). Backward spreads each output gradient evenly over its cells:
 * {@code ∂L/∂x[n, iy, ix, c] += ∂L/∂y[n, oy, ox, c] / |V|}, scattered in output order, images in parallel
 * (each image writes only its own part of the gradient). Scalar loops with channels innermost: memory-bound.
 */
public final class AveragePooling2D extends Layer {
    public final int pool, stride;
    public final Padding padding;
    private final int h, w, c, oh, ow, padTop, padLeft;

    public AveragePooling2D(String name, Layer in, int pool, int stride, Padding padding) {
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
                    for (int ch = 0; ch < c; ch++) y[o + ch] = 0f;
                    for (int ky = kyLo; ky < kyHi; ky++) {
                        for (int kx = kxLo; kx < kxHi; kx++) {
                            int i = ((n * h + iy0 + ky) * w + ix0 + kx) * c;
                            for (int ch = 0; ch < c; ch++) y[o + ch] += x[i + ch];
                        }
                    }
                    float inv = 1f / ((kyHi - kyLo) * (kxHi - kxLo));
                    for (int ch = 0; ch < c; ch++) y[o + ch] *= inv;
                }
            }
        });
    }

    @Override public void backward() {
        if (inputs[0].grad == null) return;
        float[] dy = grad.data, dx = inputs[0].grad.data;
        Parallel.forRange(batch(), (n0, n1) -> {
            for (int r = n0 * oh; r < n1 * oh; r++) {
                int n = r / oh, iy0 = (r % oh) * stride - padTop;
                int kyLo = Math.max(0, -iy0), kyHi = Math.min(pool, h - iy0);
                for (int ox = 0; ox < ow; ox++) {
                    int ix0 = ox * stride - padLeft;
                    int kxLo = Math.max(0, -ix0), kxHi = Math.min(pool, w - ix0);
                    int o = (r * ow + ox) * c;
                    float inv = 1f / ((kyHi - kyLo) * (kxHi - kxLo));
                    for (int ky = kyLo; ky < kyHi; ky++) {
                        for (int kx = kxLo; kx < kxHi; kx++) {
                            int i = ((n * h + iy0 + ky) * w + ix0 + kx) * c;
                            for (int ch = 0; ch < c; ch++) dx[i + ch] += dy[o + ch] * inv;
                        }
                    }
                }
            }
        });
    }

    @Override public long macs() { return (long) outputSize() * pool * pool; }
}
