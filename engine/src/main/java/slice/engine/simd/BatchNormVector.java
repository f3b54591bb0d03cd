package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import slice.engine.kernels.BatchNormKernel;

/**
 * Vector batch-norm loops: channels are the lanes, so a pixel's {@code C} channels are {@code C/L} vectors and a
 * per-channel sum is a per-lane sum over pixels — no cross-lane reduction anywhere. Maps walk each pixel row in
 * vectors with a scalar channel tail. Sums go tile by tile (a few pixels, {@link #tile}) and, within a tile, take
 * four channel vectors at a time held in registers (four independent add chains over the tile's pixels, enough to
 * hide the add latency), then single vectors, then scalar channels; each channel's sum is carried from tile to tile
 * in the output array. Each lane performs exactly the
 * operation sequence of {@link slice.engine.kernels.BatchNormScalar} for its channel, so results are bit-identical.
 * The ReLU gate of the {@code gated…} loops is a compare-and-blend, as in {@link ReluVector#backward}.
 */
public final class BatchNormVector implements BatchNormKernel {
    private static final int L = F.length();
    private static final FloatVector ZERO = FloatVector.zero(F);
    /** Floats per tile of the sums ({@link #tile}). */
    private static final int TILE_FLOATS = 256;

    /** {@code dy} in the lanes where the ReLU after the norm is open, {@code 0 < x·s + t < max}; zero elsewhere. */
    private static FloatVector gated(FloatVector dy, FloatVector x, FloatVector s, FloatVector t, float max) {
        FloatVector z = x.fma(s, t);
        return ZERO.blend(dy, z.compare(VectorOperators.GT, 0f).and(z.compare(VectorOperators.LT, max)));
    }

    @Override public void affine(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t) {
        int vecEnd = F.loopBound(channels);
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector.fromArray(F, x, row + c)
                        .fma(FloatVector.fromArray(F, s, c), FloatVector.fromArray(F, t, c))
                        .intoArray(y, row + c);
            }
            for (; c < channels; c++) y[row + c] = Math.fma(x[row + c], s[c], t[c]);
        }
    }

    @Override public void affineRelu(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t, float max) {
        int vecEnd = F.loopBound(channels);
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector.fromArray(F, x, row + c)
                        .fma(FloatVector.fromArray(F, s, c), FloatVector.fromArray(F, t, c))
                        .max(0f).min(max)
                        .intoArray(y, row + c);
            }
            for (; c < channels; c++) y[row + c] = Math.min(Math.max(Math.fma(x[row + c], s[c], t[c]), 0f), max);
        }
    }

    @Override public void gatedScaledGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels, float[] s,
                                              ReluGate gate, boolean add) {
        int vecEnd = F.loopBound(channels);
        float[] gs = gate.s(), gt = gate.t();
        float max = gate.max();
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector sv = FloatVector.fromArray(F, s, c);
                FloatVector g = gated(FloatVector.fromArray(F, dy, row + c), FloatVector.fromArray(F, x, row + c),
                        FloatVector.fromArray(F, gs, c), FloatVector.fromArray(F, gt, c), max);
                (add ? sv.fma(g, FloatVector.fromArray(F, dx, row + c)) : sv.mul(g)).intoArray(dx, row + c);
            }
            for (; c < channels; c++) {
                float g = gate.open(x[row + c], c) ? dy[row + c] : 0f;
                dx[row + c] = add ? Math.fma(s[c], g, dx[row + c]) : s[c] * g;
            }
        }
    }

    @Override public void gatedNormalizedGradient(float[] dy, float[] x, float[] dx, int dxStart, int p0, int p1, int channels,
                                                  float[] mean, float[] a, float[] b, float[] k, ReluGate gate, boolean add) {
        int vecEnd = F.loopBound(channels);
        float[] gs = gate.s(), gt = gate.t();
        float max = gate.max();
        for (int p = p0; p < p1; p++) {
            int row = p * channels, out = dxStart + (p - p0) * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector xv = FloatVector.fromArray(F, x, row + c);
                FloatVector centredTerm = FloatVector.fromArray(F, b, c)
                        .fma(xv.sub(FloatVector.fromArray(F, mean, c)), FloatVector.fromArray(F, k, c));
                FloatVector dyv = gated(FloatVector.fromArray(F, dy, row + c), xv,
                        FloatVector.fromArray(F, gs, c), FloatVector.fromArray(F, gt, c), max);
                FloatVector g = FloatVector.fromArray(F, a, c).fma(dyv, centredTerm);
                (add ? g.add(FloatVector.fromArray(F, dx, out + c)) : g).intoArray(dx, out + c);
            }
            for (; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                float g = Math.fma(a[c], gate.open(x[row + c], c) ? dy[row + c] : 0f, centredTerm);
                dx[out + c] = add ? dx[out + c] + g : g;
            }
        }
    }

    @Override public void gatedGradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                                            ReluGate gate, float[] sumDy, float[] sumDyXc) {
        float[] gs = gate.s(), gt = gate.t();
        float max = gate.max();
        for (int t0 = p0; t0 < p1; t0 += tile(channels)) {
            int t1 = Math.min(p1, t0 + tile(channels));
            int c = 0;
            for (; c + 2 * L <= channels; c += 2 * L) {
                FloatVector m0 = FloatVector.fromArray(F, mean, c), m1 = FloatVector.fromArray(F, mean, c + L);
                FloatVector s0 = FloatVector.fromArray(F, gs, c), s1 = FloatVector.fromArray(F, gs, c + L);
                FloatVector u0 = FloatVector.fromArray(F, gt, c), u1 = FloatVector.fromArray(F, gt, c + L);
                FloatVector g0 = FloatVector.fromArray(F, sumDy, c), g1 = FloatVector.fromArray(F, sumDy, c + L);
                FloatVector gx0 = FloatVector.fromArray(F, sumDyXc, c), gx1 = FloatVector.fromArray(F, sumDyXc, c + L);
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    FloatVector x0 = FloatVector.fromArray(F, x, i), x1 = FloatVector.fromArray(F, x, i + L);
                    FloatVector dy0 = gated(FloatVector.fromArray(F, dy, i), x0, s0, u0, max);
                    FloatVector dy1 = gated(FloatVector.fromArray(F, dy, i + L), x1, s1, u1, max);
                    g0 = g0.add(dy0);
                    g1 = g1.add(dy1);
                    gx0 = dy0.fma(x0.sub(m0), gx0);
                    gx1 = dy1.fma(x1.sub(m1), gx1);
                }
                g0.intoArray(sumDy, c);
                g1.intoArray(sumDy, c + L);
                gx0.intoArray(sumDyXc, c);
                gx1.intoArray(sumDyXc, c + L);
            }
            for (; c + L <= channels; c += L) {
                FloatVector m0 = FloatVector.fromArray(F, mean, c);
                FloatVector s0 = FloatVector.fromArray(F, gs, c), u0 = FloatVector.fromArray(F, gt, c);
                FloatVector g0 = FloatVector.fromArray(F, sumDy, c), gx0 = FloatVector.fromArray(F, sumDyXc, c);
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    FloatVector x0 = FloatVector.fromArray(F, x, i);
                    FloatVector dy0 = gated(FloatVector.fromArray(F, dy, i), x0, s0, u0, max);
                    g0 = g0.add(dy0);
                    gx0 = dy0.fma(x0.sub(m0), gx0);
                }
                g0.intoArray(sumDy, c);
                gx0.intoArray(sumDyXc, c);
            }
            for (; c < channels; c++) {
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    float g = gate.open(x[i], c) ? dy[i] : 0f;
                    sumDy[c] += g;
                    sumDyXc[c] = Math.fma(g, x[i] - mean[c], sumDyXc[c]);
                }
            }
        }
    }

    @Override public void scaledGradient(float[] dy, float[] dx, int p0, int p1, int channels, float[] s, boolean add) {
        int vecEnd = F.loopBound(channels);
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector sv = FloatVector.fromArray(F, s, c), g = FloatVector.fromArray(F, dy, row + c);
                (add ? sv.fma(g, FloatVector.fromArray(F, dx, row + c)) : sv.mul(g)).intoArray(dx, row + c);
            }
            for (; c < channels; c++) dx[row + c] = add ? Math.fma(s[c], dy[row + c], dx[row + c]) : s[c] * dy[row + c];
        }
    }

    @Override public void normalizedGradient(float[] dy, float[] x, float[] dx, int dxStart, int p0, int p1, int channels,
                                             float[] mean, float[] a, float[] b, float[] k, boolean add) {
        int vecEnd = F.loopBound(channels);
        for (int p = p0; p < p1; p++) {
            int row = p * channels, out = dxStart + (p - p0) * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector centred = FloatVector.fromArray(F, x, row + c).sub(FloatVector.fromArray(F, mean, c));
                FloatVector centredTerm = FloatVector.fromArray(F, b, c).fma(centred, FloatVector.fromArray(F, k, c));
                FloatVector g = FloatVector.fromArray(F, a, c).fma(FloatVector.fromArray(F, dy, row + c), centredTerm);
                (add ? g.add(FloatVector.fromArray(F, dx, out + c)) : g).intoArray(dx, out + c);
            }
            for (; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                float g = Math.fma(a[c], dy[row + c], centredTerm);
                dx[out + c] = add ? dx[out + c] + g : g;
            }
        }
    }

    /**
     * Pixels per tile of the sums: about {@value #TILE_FLOATS} floats (at least one pixel). The channel groups walk a
     * tile's pixels one after the other, so a small tile keeps the walk over memory close to sequential.
     */
    private static int tile(int channels) { return Math.max(1, TILE_FLOATS / channels); }

    /**
     * Pixels per tile of {@link #centredSquares}, whose caller has just summed the same pixels: they are in cache, the
     * walk's order does not matter, and a larger tile (16 KB, at least 8 pixels) keeps the sums in registers longer.
     */
    private static int cachedTile(int channels) { return Math.max(8, 4096 / channels); }

    @Override public void sum(float[] x, int p0, int p1, int channels, float[] sum) {
        for (int t0 = p0; t0 < p1; t0 += tile(channels)) {
            int t1 = Math.min(p1, t0 + tile(channels));
            int c = 0;
            for (; c + 4 * L <= channels; c += 4 * L) {
                FloatVector s0 = FloatVector.fromArray(F, sum, c), s1 = FloatVector.fromArray(F, sum, c + L);
                FloatVector s2 = FloatVector.fromArray(F, sum, c + 2 * L), s3 = FloatVector.fromArray(F, sum, c + 3 * L);
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    s0 = s0.add(FloatVector.fromArray(F, x, i));
                    s1 = s1.add(FloatVector.fromArray(F, x, i + L));
                    s2 = s2.add(FloatVector.fromArray(F, x, i + 2 * L));
                    s3 = s3.add(FloatVector.fromArray(F, x, i + 3 * L));
                }
                store(sum, c, s0, s1, s2, s3);
            }
            for (; c + L <= channels; c += L) {
                FloatVector s0 = FloatVector.fromArray(F, sum, c);
                for (int p = t0; p < t1; p++) s0 = s0.add(FloatVector.fromArray(F, x, p * channels + c));
                s0.intoArray(sum, c);
            }
            for (; c < channels; c++) {
                for (int p = t0; p < t1; p++) sum[c] += x[p * channels + c];
            }
        }
    }

    @Override public void centredSquares(float[] x, int p0, int p1, int channels, float[] mean, float[] squares) {
        for (int t0 = p0; t0 < p1; t0 += cachedTile(channels)) {
            int t1 = Math.min(p1, t0 + cachedTile(channels));
            int c = 0;
            for (; c + 4 * L <= channels; c += 4 * L) {
                FloatVector m0 = FloatVector.fromArray(F, mean, c), m1 = FloatVector.fromArray(F, mean, c + L);
                FloatVector m2 = FloatVector.fromArray(F, mean, c + 2 * L), m3 = FloatVector.fromArray(F, mean, c + 3 * L);
                FloatVector s0 = FloatVector.fromArray(F, squares, c), s1 = FloatVector.fromArray(F, squares, c + L);
                FloatVector s2 = FloatVector.fromArray(F, squares, c + 2 * L), s3 = FloatVector.fromArray(F, squares, c + 3 * L);
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    FloatVector d0 = FloatVector.fromArray(F, x, i).sub(m0);
                    FloatVector d1 = FloatVector.fromArray(F, x, i + L).sub(m1);
                    FloatVector d2 = FloatVector.fromArray(F, x, i + 2 * L).sub(m2);
                    FloatVector d3 = FloatVector.fromArray(F, x, i + 3 * L).sub(m3);
                    s0 = d0.fma(d0, s0);
                    s1 = d1.fma(d1, s1);
                    s2 = d2.fma(d2, s2);
                    s3 = d3.fma(d3, s3);
                }
                store(squares, c, s0, s1, s2, s3);
            }
            for (; c + L <= channels; c += L) {
                FloatVector m0 = FloatVector.fromArray(F, mean, c);
                FloatVector s0 = FloatVector.fromArray(F, squares, c);
                for (int p = t0; p < t1; p++) {
                    FloatVector d0 = FloatVector.fromArray(F, x, p * channels + c).sub(m0);
                    s0 = d0.fma(d0, s0);
                }
                s0.intoArray(squares, c);
            }
            for (; c < channels; c++) {
                for (int p = t0; p < t1; p++) {
                    float d = x[p * channels + c] - mean[c];
                    squares[c] = Math.fma(d, d, squares[c]);
                }
            }
        }
    }

    @Override public void gradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                                       float[] sumDy, float[] sumDyXc) {
        for (int t0 = p0; t0 < p1; t0 += tile(channels)) {
            int t1 = Math.min(p1, t0 + tile(channels));
            int c = 0;
            for (; c + 2 * L <= channels; c += 2 * L) {
                FloatVector m0 = FloatVector.fromArray(F, mean, c), m1 = FloatVector.fromArray(F, mean, c + L);
                FloatVector g0 = FloatVector.fromArray(F, sumDy, c), g1 = FloatVector.fromArray(F, sumDy, c + L);
                FloatVector gx0 = FloatVector.fromArray(F, sumDyXc, c), gx1 = FloatVector.fromArray(F, sumDyXc, c + L);
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    FloatVector dy0 = FloatVector.fromArray(F, dy, i), dy1 = FloatVector.fromArray(F, dy, i + L);
                    g0 = g0.add(dy0);
                    g1 = g1.add(dy1);
                    gx0 = dy0.fma(FloatVector.fromArray(F, x, i).sub(m0), gx0);
                    gx1 = dy1.fma(FloatVector.fromArray(F, x, i + L).sub(m1), gx1);
                }
                g0.intoArray(sumDy, c);
                g1.intoArray(sumDy, c + L);
                gx0.intoArray(sumDyXc, c);
                gx1.intoArray(sumDyXc, c + L);
            }
            for (; c + L <= channels; c += L) {
                FloatVector m0 = FloatVector.fromArray(F, mean, c);
                FloatVector g0 = FloatVector.fromArray(F, sumDy, c), gx0 = FloatVector.fromArray(F, sumDyXc, c);
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    FloatVector dy0 = FloatVector.fromArray(F, dy, i);
                    g0 = g0.add(dy0);
                    gx0 = dy0.fma(FloatVector.fromArray(F, x, i).sub(m0), gx0);
                }
                g0.intoArray(sumDy, c);
                gx0.intoArray(sumDyXc, c);
            }
            for (; c < channels; c++) {
                for (int p = t0; p < t1; p++) {
                    int i = p * channels + c;
                    sumDy[c] += dy[i];
                    sumDyXc[c] = Math.fma(dy[i], x[i] - mean[c], sumDyXc[c]);
                }
            }
        }
    }

    private static void store(float[] a, int i, FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        v0.intoArray(a, i);
        v1.intoArray(a, i + L);
        v2.intoArray(a, i + 2 * L);
        v3.intoArray(a, i + 3 * L);
    }
}
