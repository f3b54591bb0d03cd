package slice.engine.kernels;

import static slice.engine.kernels.WindowGeometry.endTap;
import static slice.engine.kernels.WindowGeometry.firstTap;

import java.util.Arrays;

/** The scalar twin of the depthwise loops: the formulas of {@link DepthwiseKernel}, one channel at a time. */
public final class DepthwiseScalar implements DepthwiseKernel {
    @Override public void forward(WindowGeometry g, float[] x, float[] kernel, float[] bias, ColumnMap map, float[] y, int row0, int row1) {
        int c = g.channels;
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH, oy = r % g.outH;
            int iy0 = oy * g.stride - g.padTop;
            int kyLo = firstTap(iy0), kyHi = endTap(iy0, g.h, g.kh);
            for (int ox = 0; ox < g.outW; ox++) {
                int ix0 = ox * g.stride - g.padLeft;
                int kxLo = firstTap(ix0), kxHi = endTap(ix0, g.w, g.kw);
                int out = (r * g.outW + ox) * c;
                for (int ch = 0; ch < c; ch++) {
                    float acc = bias == null ? 0f : bias[ch];
                    for (int ky = kyLo; ky < kyHi; ky++) {
                        for (int kx = kxLo; kx < kxHi; kx++) {
                            int in = ((n * g.h + iy0 + ky) * g.w + ix0 + kx) * c + ch;
                            acc = Math.fma(x[in], kernel[(ky * g.kw + kx) * c + ch], acc);
                        }
                    }
                    y[out + ch] = map == null ? acc : map.apply(acc, ch);
                }
            }
        }
    }

    @Override public void backwardInput(WindowGeometry g, float[] dy, float[] kernel, float[] dx, int row0, int row1) {
        int c = g.channels, s = g.stride;
        for (int r = row0; r < row1; r++) {
            int n = r / g.h, iy = r % g.h;
            // taps ky with (iy + padTop − ky) = oy·s for an output row 0 ≤ oy < outH, in increasing ky
            TapRun rows = g.rowTaps[iy];
            for (int ix = 0; ix < g.w; ix++) {
                TapRun cols = g.colTaps[ix];
                int in = (r * g.w + ix) * c;
                for (int ch = 0; ch < c; ch++) {
                    float acc = dx[in + ch];
                    for (int j = 0; j < rows.count(); j++) {
                        int ky = rows.firstTap() + j * s, oy = rows.firstOut() - j;
                        for (int i = 0; i < cols.count(); i++) {
                            int kx = cols.firstTap() + i * s, ox = cols.firstOut() - i;
                            acc = Math.fma(dy[((n * g.outH + oy) * g.outW + ox) * c + ch], kernel[(ky * g.kw + kx) * c + ch], acc);
                        }
                    }
                    dx[in + ch] = acc;
                }
            }
        }
    }

    @Override public void backwardKernel(WindowGeometry g, float[] x, float[] dy, int row0, int row1, float[] dKernel, float[] dBias) {
        clearKernelGradient(g, dKernel, dBias);
        for (int r = row0; r < row1; r++) addKernelGradientOfRow(g, x, dy, r, dKernel, dBias, 0, g.channels);
    }

    /** Zeroes {@code dKernel} (and {@code dBias} unless null). */
    public static void clearKernelGradient(WindowGeometry g, float[] dKernel, float[] dBias) {
        Arrays.fill(dKernel, 0, g.kh * g.kw * g.channels, 0f);
        if (dBias != null) Arrays.fill(dBias, 0, g.channels, 0f);
    }

    /**
     * Adds output row {@code r} (image {@code r / outH}, row {@code r % outH}) to {@code dKernel} (and {@code dBias}
     * unless null) for channels {@code [c0, c1)}, one channel at a time: each tap's row partial, then its sum. The
     * vector kernel runs this for its tail channels.
     */
    public static void addKernelGradientOfRow(WindowGeometry g, float[] x, float[] dy, int r, float[] dKernel, float[] dBias,
            int c0, int c1) {
        int c = g.channels, s = g.stride;
        int b = r / g.outH, oy = r % g.outH;
        int iy0 = oy * s - g.padTop;
        int dyRow = r * g.outW * c;
        for (int ch = c0; ch < c1; ch++) {
            if (dBias != null) {
                float partial = 0f;
                for (int ox = 0; ox < g.outW; ox++) partial += dy[dyRow + ox * c + ch];
                dBias[ch] += partial;
            }
            for (int ky = firstTap(iy0); ky < endTap(iy0, g.h, g.kh); ky++) {
                int xRow = (b * g.h + iy0 + ky) * g.w * c;
                for (int kx = 0; kx < g.kw; kx++) {
                    OutRange cols = g.colRanges[kx];
                    float partial = 0f;
                    for (int ox = cols.from(); ox < cols.to(); ox++) {
                        partial = Math.fma(dy[dyRow + ox * c + ch], x[xRow + (ox * s - g.padLeft + kx) * c + ch], partial);
                    }
                    dKernel[(ky * g.kw + kx) * c + ch] += partial;
                }
            }
        }
    }
}
