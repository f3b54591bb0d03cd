package slice.engine.kernels;

import static slice.engine.kernels.WindowGeometry.endTap;
import static slice.engine.kernels.WindowGeometry.firstTap;

/** Scalar twin of {@link PoolKernel}: the formulas, one channel at a time. */
public final class PoolScalar implements PoolKernel {
    @Override public void maxForward(WindowGeometry g, float[] x, float[] y, float[] winners, int row0, int row1) {
        forward(g, x, null, y, winners, row0, row1);
    }

    @Override public void avgForward(WindowGeometry g, float[] x, float[] inv, float[] y, int row0, int row1) {
        forward(g, x, inv, y, null, row0, row1);
    }

    /**
     * Both forward passes walk the same windows: each output reduces its window's real cells in (ky, kx) order, to
     * their maximum when {@code inv} is null (max pooling, and the winner's position into {@code winners} unless
     * null), else to their sum times {@code inv} (average pooling).
     */
    private static void forward(WindowGeometry g, float[] x, float[] inv, float[] y, float[] winners, int row0, int row1) {
        boolean max = inv == null;
        int c = g.channels;
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH, oy = r % g.outH, iy0 = oy * g.stride - g.padTop;
            int kyLo = firstTap(iy0), kyHi = endTap(iy0, g.h, g.kh);
            for (int ox = 0; ox < g.outW; ox++) {
                int ix0 = ox * g.stride - g.padLeft;
                int kxLo = firstTap(ix0), kxHi = endTap(ix0, g.w, g.kw);
                int o = (r * g.outW + ox) * c, in0 = ((n * g.h + iy0) * g.w + ix0) * c;
                for (int ch = 0; ch < c; ch++) {
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    int cell = 0, winner = 0;
                    for (int ky = kyLo; ky < kyHi; ky++) {
                        for (int kx = kxLo; kx < kxHi; kx++, cell++) {
                            float v = x[in0 + (ky * g.w + kx) * c + ch];
                            if (max && v > acc) winner = cell;
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    y[o + ch] = max ? acc : acc * inv[oy * g.outW + ox];
                    if (winners != null) winners[o + ch] = Float.isNaN(acc) ? 0 : winner;
                }
            }
        }
    }

    @Override public void avgBackward(WindowGeometry g, float[] dy, float[] inv, float[] dx, int row0, int row1) {
        int c = g.channels;
        for (int r = row0; r < row1; r++) {
            int n = r / g.h;
            TapRun rows = g.rowTaps[r % g.h];
            for (int ix = 0; ix < g.w; ix++) {
                TapRun cols = g.colTaps[ix];
                int in = (r * g.w + ix) * c;
                for (int ch = 0; ch < c; ch++) {
                    float acc = dx[in + ch];
                    for (int j = 0; j < rows.count(); j++) {
                        int oy = rows.firstOut() - j;
                        for (int i = 0; i < cols.count(); i++) {
                            int ox = cols.firstOut() - i;
                            acc = Math.fma(dy[((n * g.outH + oy) * g.outW + ox) * c + ch], inv[oy * g.outW + ox], acc);
                        }
                    }
                    dx[in + ch] = acc;
                }
            }
        }
    }

    @Override public void maxBackward(WindowGeometry g, float[] winners, float[] dy, float[] dx, int n, int ch0, int ch1) {
        scatterToWinners(g, winners, dy, dx, n, ch0, ch1);
    }

    /**
     * {@code dx[cell winners[o] of output o's window] += dy[o]} for image {@code n}'s channels {@code [ch0, ch1)}, outputs
     * in (oy, ox) order: a scatter, the same in both kernels (the vector one has no lanes to use here).
     */
    public static void scatterToWinners(WindowGeometry g, float[] winners, float[] dy, float[] dx, int n, int ch0, int ch1) {
        int c = g.channels;
        int[] cells = new int[g.kh * g.kw];
        for (int r = n * g.outH; r < (n + 1) * g.outH; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                g.windowCells(r, ox, cells);
                int o = (r * g.outW + ox) * c;
                for (int ch = ch0; ch < ch1; ch++) dx[cells[(int) winners[o + ch]] + ch] += dy[o + ch];
            }
        }
    }
}
