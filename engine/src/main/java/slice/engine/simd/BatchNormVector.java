package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.BatchNormKernel;

/**
 * Vector batch-norm loops: channels are the lanes, so a pixel's {@code C} channels are {@code C/L} vectors and a
 * per-channel sum is a per-lane sum over pixels — no cross-lane reduction anywhere. Maps walk each pixel row in
 * vectors with a scalar channel tail. Sums take four channel vectors at a time (four independent add chains over the
 * pixels, enough to hide the add latency), then single vectors, then scalar channels. Each lane performs exactly the
 * operation sequence of {@link slice.engine.kernels.BatchNormScalar} for its channel, so results are bit-identical.
 */
public final class BatchNormVector implements BatchNormKernel {
    private static final int L = F.length();

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

    @Override public void addScaled(float[] dy, float[] dx, int p0, int p1, int channels, float[] s) {
        int vecEnd = F.loopBound(channels);
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector.fromArray(F, s, c)
                        .fma(FloatVector.fromArray(F, dy, row + c), FloatVector.fromArray(F, dx, row + c))
                        .intoArray(dx, row + c);
            }
            for (; c < channels; c++) dx[row + c] = Math.fma(s[c], dy[row + c], dx[row + c]);
        }
    }

    @Override public void addNormalizedGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels,
                                                float[] mean, float[] a, float[] b, float[] k) {
        int vecEnd = F.loopBound(channels);
        for (int p = p0; p < p1; p++) {
            int row = p * channels;
            int c = 0;
            for (; c < vecEnd; c += L) {
                FloatVector centred = FloatVector.fromArray(F, x, row + c).sub(FloatVector.fromArray(F, mean, c));
                FloatVector centredTerm = FloatVector.fromArray(F, b, c).fma(centred, FloatVector.fromArray(F, k, c));
                FloatVector.fromArray(F, a, c).fma(FloatVector.fromArray(F, dy, row + c), centredTerm)
                        .add(FloatVector.fromArray(F, dx, row + c))
                        .intoArray(dx, row + c);
            }
            for (; c < channels; c++) {
                float centredTerm = Math.fma(b[c], x[row + c] - mean[c], k[c]);
                dx[row + c] += Math.fma(a[c], dy[row + c], centredTerm);
            }
        }
    }

    @Override public void sum(float[] x, int p0, int p1, int channels, int c0, int c1, float[] sum) {
        int c = c0;
        for (; c + 4 * L <= c1; c += 4 * L) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int p = p0; p < p1; p++) {
                int i = p * channels + c;
                s0 = s0.add(FloatVector.fromArray(F, x, i));
                s1 = s1.add(FloatVector.fromArray(F, x, i + L));
                s2 = s2.add(FloatVector.fromArray(F, x, i + 2 * L));
                s3 = s3.add(FloatVector.fromArray(F, x, i + 3 * L));
            }
            FloatVector.fromArray(F, sum, c).add(s0).intoArray(sum, c);
            FloatVector.fromArray(F, sum, c + L).add(s1).intoArray(sum, c + L);
            FloatVector.fromArray(F, sum, c + 2 * L).add(s2).intoArray(sum, c + 2 * L);
            FloatVector.fromArray(F, sum, c + 3 * L).add(s3).intoArray(sum, c + 3 * L);
        }
        for (; c + L <= c1; c += L) {
            FloatVector s0 = FloatVector.zero(F);
            for (int p = p0; p < p1; p++) s0 = s0.add(FloatVector.fromArray(F, x, p * channels + c));
            FloatVector.fromArray(F, sum, c).add(s0).intoArray(sum, c);
        }
        for (; c < c1; c++) {
            float block = 0f;
            for (int p = p0; p < p1; p++) block += x[p * channels + c];
            sum[c] += block;
        }
    }

    @Override public void centredSquares(float[] x, int p0, int p1, int channels, int c0, int c1, float[] mean, float[] squares) {
        int c = c0;
        for (; c + 4 * L <= c1; c += 4 * L) {
            FloatVector m0 = FloatVector.fromArray(F, mean, c), m1 = FloatVector.fromArray(F, mean, c + L);
            FloatVector m2 = FloatVector.fromArray(F, mean, c + 2 * L), m3 = FloatVector.fromArray(F, mean, c + 3 * L);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int p = p0; p < p1; p++) {
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
            FloatVector.fromArray(F, squares, c).add(s0).intoArray(squares, c);
            FloatVector.fromArray(F, squares, c + L).add(s1).intoArray(squares, c + L);
            FloatVector.fromArray(F, squares, c + 2 * L).add(s2).intoArray(squares, c + 2 * L);
            FloatVector.fromArray(F, squares, c + 3 * L).add(s3).intoArray(squares, c + 3 * L);
        }
        for (; c + L <= c1; c += L) {
            FloatVector m0 = FloatVector.fromArray(F, mean, c);
            FloatVector s0 = FloatVector.zero(F);
            for (int p = p0; p < p1; p++) {
                FloatVector d0 = FloatVector.fromArray(F, x, p * channels + c).sub(m0);
                s0 = d0.fma(d0, s0);
            }
            FloatVector.fromArray(F, squares, c).add(s0).intoArray(squares, c);
        }
        for (; c < c1; c++) {
            float block = 0f;
            for (int p = p0; p < p1; p++) {
                float d = x[p * channels + c] - mean[c];
                block = Math.fma(d, d, block);
            }
            squares[c] += block;
        }
    }

    @Override public void gradientSums(float[] dy, float[] x, int p0, int p1, int channels, int c0, int c1, float[] mean,
                                       float[] sumDy, float[] sumDyXc) {
        int c = c0;
        for (; c + 2 * L <= c1; c += 2 * L) {
            FloatVector m0 = FloatVector.fromArray(F, mean, c), m1 = FloatVector.fromArray(F, mean, c + L);
            FloatVector g0 = FloatVector.zero(F), g1 = g0, gx0 = g0, gx1 = g0;
            for (int p = p0; p < p1; p++) {
                int i = p * channels + c;
                FloatVector dy0 = FloatVector.fromArray(F, dy, i), dy1 = FloatVector.fromArray(F, dy, i + L);
                g0 = g0.add(dy0);
                g1 = g1.add(dy1);
                gx0 = dy0.fma(FloatVector.fromArray(F, x, i).sub(m0), gx0);
                gx1 = dy1.fma(FloatVector.fromArray(F, x, i + L).sub(m1), gx1);
            }
            FloatVector.fromArray(F, sumDy, c).add(g0).intoArray(sumDy, c);
            FloatVector.fromArray(F, sumDy, c + L).add(g1).intoArray(sumDy, c + L);
            FloatVector.fromArray(F, sumDyXc, c).add(gx0).intoArray(sumDyXc, c);
            FloatVector.fromArray(F, sumDyXc, c + L).add(gx1).intoArray(sumDyXc, c + L);
        }
        for (; c + L <= c1; c += L) {
            FloatVector m0 = FloatVector.fromArray(F, mean, c);
            FloatVector g0 = FloatVector.zero(F), gx0 = g0;
            for (int p = p0; p < p1; p++) {
                int i = p * channels + c;
                FloatVector dy0 = FloatVector.fromArray(F, dy, i);
                g0 = g0.add(dy0);
                gx0 = dy0.fma(FloatVector.fromArray(F, x, i).sub(m0), gx0);
            }
            FloatVector.fromArray(F, sumDy, c).add(g0).intoArray(sumDy, c);
            FloatVector.fromArray(F, sumDyXc, c).add(gx0).intoArray(sumDyXc, c);
        }
        for (; c < c1; c++) {
            float blockDy = 0f, blockDyXc = 0f;
            for (int p = p0; p < p1; p++) {
                int i = p * channels + c;
                blockDy += dy[i];
                blockDyXc = Math.fma(dy[i], x[i] - mean[c], blockDyXc);
            }
            sumDy[c] += blockDy;
            sumDyXc[c] += blockDyXc;
        }
    }
}
