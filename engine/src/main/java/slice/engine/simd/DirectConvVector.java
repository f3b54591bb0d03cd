package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.DirectConvKernel;
import slice.engine.kernels.Im2col;

/**
 * Vector direct convolution for inputs of few channels, output channels as lanes: each input value of a window is
 * broadcast and multiplied into the weight vectors of its step {@code p} (row {@code p} of the kernel seen as
 * {@code [Kc, Cout]}). Along an output row, pixels whose windows lie inside the image go eight at a time, read in
 * place from the input, with sixteen fma chains in registers: while four vectors of output channels remain, four
 * pixels by four vectors twice (per step four weight loads and four broadcasts: 32 channels at 128 bits), then two
 * vectors for all eight pixels (two weight loads and eight broadcasts: 32 channels at 512 bits; the GEMM's 8×2
 * micro-kernel without its packing). Output channels past the last pair of vectors, pixels past the last full eight,
 * and pixels whose window reaches into the padding (their window copied into a buffer with zeros there) go one pixel
 * at a time, vector by vector, then a scalar tail. Every output is the chain {@link DirectConvKernel} fixes, so the
 * results are those of {@link slice.engine.kernels.DirectConvScalar}.
 */
public final class DirectConvVector implements DirectConvKernel {
    private static final int L = F.length();
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f), MINUS_ZERO = FloatVector.broadcast(F, -0f);

    @Override public void forward(Im2col g, int cout, float[] x, float[] k, float[] bias, ColumnMap map, float[] y,
                                  int row0, int row1) {
        int cin = g.cin(), run = g.kw() * cin, rowStride = g.w() * cin, pixStride = g.strideW() * cin;
        int quadEnd = cout / (4 * L) * (4 * L), pairEnd = quadEnd + (cout - quadEnd) / (2 * L) * (2 * L);
        float[] window = new float[g.kh() * run];
        // where step p of a window lies from the window's first input: in the image, and in the window buffer
        int[] inImage = new int[window.length], inWindow = new int[window.length];
        for (int p = 0; p < window.length; p++) {
            inImage[p] = p / run * rowStride + p % run;
            inWindow[p] = p;
        }
        // output columns whose window columns all lie inside the image
        int oxA = Math.min(g.outW(), (g.padLeft() + g.strideW() - 1) / g.strideW());
        int oxB = Math.max(oxA, Math.min(g.outW(), Math.floorDiv(g.w() - g.kw() + g.padLeft(), g.strideW()) + 1));
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH(), iy0 = r % g.outH() * g.strideH() - g.padTop();
            boolean rowInside = iy0 >= 0 && iy0 + g.kh() <= g.h();
            int from = rowInside ? oxA : 0, to = rowInside ? oxB : 0, out = r * g.outW() * cout;
            int corner = ((n * g.h() + iy0) * g.w() - g.padLeft()) * cin; // + ox·pixStride: the window of output ox
            int ox = from;
            for (; ox + 8 <= to; ox += 8) {
                int in = corner + ox * pixStride, o = out + ox * cout;
                for (int co = 0; co < quadEnd; co += 4 * L) {
                    block4x4(x, in, pixStride, inImage, k, cout, co, bias, map, y, o);
                    block4x4(x, in + 4 * pixStride, pixStride, inImage, k, cout, co, bias, map, y, o + 4 * cout);
                }
                for (int co = quadEnd; co < pairEnd; co += 2 * L) {
                    block8x2(x, in, pixStride, inImage, k, cout, co, bias, map, y, o);
                }
                if (pairEnd < cout) {
                    for (int p = 0; p < 8; p++) pixel(x, in + p * pixStride, inImage, k, cout, pairEnd, bias, map, y, o + p * cout);
                }
            }
            for (; ox < to; ox++) pixel(x, corner + ox * pixStride, inImage, k, cout, 0, bias, map, y, out + ox * cout);
            for (int edge = 0; edge < g.outW(); edge++) { // the pixels whose window reaches into the padding
                if (edge >= from && edge < to) continue;
                fillWindow(g, x, n, iy0, edge * g.strideW() - g.padLeft(), window);
                pixel(window, 0, inWindow, k, cout, 0, bias, map, y, out + edge * cout);
            }
        }
    }

    /** The window of the pixel whose top-left input is {@code (iy0, ix0)}: {@code kh} rows of {@code kw·Cin}, zero outside. */
    private static void fillWindow(Im2col g, float[] x, int n, int iy0, int ix0, float[] window) {
        Arrays.fill(window, 0f);
        int cin = g.cin(), run = g.kw() * cin;
        for (int ky = 0; ky < g.kh(); ky++) {
            int iy = iy0 + ky;
            if (iy < 0 || iy >= g.h()) continue;
            for (int kx = 0; kx < g.kw(); kx++) {
                int ix = ix0 + kx;
                if (ix >= 0 && ix < g.w()) System.arraycopy(x, ((n * g.h() + iy) * g.w() + ix) * cin, window, ky * run + kx * cin, cin);
            }
        }
    }

    /**
     * Output channels {@code [coFrom, Cout)} of one pixel whose step p reads {@code src[in + steps[p]]}: vector by
     * vector, each a chain over the steps p, then the scalar tail.
     */
    private static void pixel(float[] src, int in, int[] steps, float[] k, int cout, int coFrom,
                              float[] bias, ColumnMap map, float[] y, int out) {
        int co = coFrom;
        for (; co + L <= cout; co += L) {
            FloatVector acc = bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, co);
            for (int p = 0; p < steps.length; p++) {
                acc = FloatVector.broadcast(F, src[in + steps[p]]).fma(FloatVector.fromArray(F, k, p * cout + co), acc);
            }
            if (map != null) {
                FloatVector ms = map.scale() == null ? ONE : FloatVector.fromArray(F, map.scale(), co);
                FloatVector mt = map.shift() == null ? MINUS_ZERO : FloatVector.fromArray(F, map.shift(), co);
                acc = acc.fma(ms, mt).max(map.lo()).min(map.hi());
            }
            acc.intoArray(y, out + co);
        }
        for (; co < cout; co++) {
            float acc = bias == null ? 0f : bias[co];
            for (int p = 0; p < steps.length; p++) acc = Math.fma(src[in + steps[p]], k[p * cout + co], acc);
            y[out + co] = map == null ? acc : map.apply(acc, co);
        }
    }

    /**
     * Output channels {@code [co, co + 4L)} of four pixels {@code pixStride} apart in {@code x}, the first one's step p
     * at {@code x[in + steps[p]]}: sixteen chains in registers over the steps p.
     */
    private static void block4x4(float[] x, int in, int pixStride, int[] steps, float[] k, int cout, int co,
                                 float[] bias, ColumnMap map, float[] y, int out) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (bias == null) {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = FloatVector.zero(F);
        } else {
            c00 = c10 = c20 = c30 = FloatVector.fromArray(F, bias, co);
            c01 = c11 = c21 = c31 = FloatVector.fromArray(F, bias, co + L);
            c02 = c12 = c22 = c32 = FloatVector.fromArray(F, bias, co + 2 * L);
            c03 = c13 = c23 = c33 = FloatVector.fromArray(F, bias, co + 3 * L);
        }
        int s = pixStride;
        for (int p = 0, wi = co; p < steps.length; p++, wi += cout) {
            int i = in + steps[p];
            FloatVector w0 = FloatVector.fromArray(F, k, wi), w1 = FloatVector.fromArray(F, k, wi + L);
            FloatVector w2 = FloatVector.fromArray(F, k, wi + 2 * L), w3 = FloatVector.fromArray(F, k, wi + 3 * L);
            FloatVector v = FloatVector.broadcast(F, x[i]);
            c00 = v.fma(w0, c00);
            c01 = v.fma(w1, c01);
            c02 = v.fma(w2, c02);
            c03 = v.fma(w3, c03);
            v = FloatVector.broadcast(F, x[i + s]);
            c10 = v.fma(w0, c10);
            c11 = v.fma(w1, c11);
            c12 = v.fma(w2, c12);
            c13 = v.fma(w3, c13);
            v = FloatVector.broadcast(F, x[i + 2 * s]);
            c20 = v.fma(w0, c20);
            c21 = v.fma(w1, c21);
            c22 = v.fma(w2, c22);
            c23 = v.fma(w3, c23);
            v = FloatVector.broadcast(F, x[i + 3 * s]);
            c30 = v.fma(w0, c30);
            c31 = v.fma(w1, c31);
            c32 = v.fma(w2, c32);
            c33 = v.fma(w3, c33);
        }
        int o = out + co, o1 = o + cout, o2 = o + 2 * cout, o3 = o + 3 * cout;
        if (map == null) {
            c00.intoArray(y, o);
            c01.intoArray(y, o + L);
            c02.intoArray(y, o + 2 * L);
            c03.intoArray(y, o + 3 * L);
            c10.intoArray(y, o1);
            c11.intoArray(y, o1 + L);
            c12.intoArray(y, o1 + 2 * L);
            c13.intoArray(y, o1 + 3 * L);
            c20.intoArray(y, o2);
            c21.intoArray(y, o2 + L);
            c22.intoArray(y, o2 + 2 * L);
            c23.intoArray(y, o2 + 3 * L);
            c30.intoArray(y, o3);
            c31.intoArray(y, o3 + L);
            c32.intoArray(y, o3 + 2 * L);
            c33.intoArray(y, o3 + 3 * L);
        } else {
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s0 = sc == null ? ONE : FloatVector.fromArray(F, sc, co);
            FloatVector s1 = sc == null ? ONE : FloatVector.fromArray(F, sc, co + L);
            FloatVector s2 = sc == null ? ONE : FloatVector.fromArray(F, sc, co + 2 * L);
            FloatVector s3 = sc == null ? ONE : FloatVector.fromArray(F, sc, co + 3 * L);
            FloatVector t0 = sh == null ? MINUS_ZERO : FloatVector.fromArray(F, sh, co);
            FloatVector t1 = sh == null ? MINUS_ZERO : FloatVector.fromArray(F, sh, co + L);
            FloatVector t2 = sh == null ? MINUS_ZERO : FloatVector.fromArray(F, sh, co + 2 * L);
            FloatVector t3 = sh == null ? MINUS_ZERO : FloatVector.fromArray(F, sh, co + 3 * L);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            c00.fma(s0, t0).max(lo).min(hi).intoArray(y, o);
            c01.fma(s1, t1).max(lo).min(hi).intoArray(y, o + L);
            c02.fma(s2, t2).max(lo).min(hi).intoArray(y, o + 2 * L);
            c03.fma(s3, t3).max(lo).min(hi).intoArray(y, o + 3 * L);
            c10.fma(s0, t0).max(lo).min(hi).intoArray(y, o1);
            c11.fma(s1, t1).max(lo).min(hi).intoArray(y, o1 + L);
            c12.fma(s2, t2).max(lo).min(hi).intoArray(y, o1 + 2 * L);
            c13.fma(s3, t3).max(lo).min(hi).intoArray(y, o1 + 3 * L);
            c20.fma(s0, t0).max(lo).min(hi).intoArray(y, o2);
            c21.fma(s1, t1).max(lo).min(hi).intoArray(y, o2 + L);
            c22.fma(s2, t2).max(lo).min(hi).intoArray(y, o2 + 2 * L);
            c23.fma(s3, t3).max(lo).min(hi).intoArray(y, o2 + 3 * L);
            c30.fma(s0, t0).max(lo).min(hi).intoArray(y, o3);
            c31.fma(s1, t1).max(lo).min(hi).intoArray(y, o3 + L);
            c32.fma(s2, t2).max(lo).min(hi).intoArray(y, o3 + 2 * L);
            c33.fma(s3, t3).max(lo).min(hi).intoArray(y, o3 + 3 * L);
        }
    }

    /**
     * Output channels {@code [co, co + 2L)} of eight pixels {@code pixStride} apart in {@code x}, the first one's step p
     * at {@code x[in + steps[p]]}: sixteen chains in registers over the steps p (one loop: with a loop over window rows
     * around one over a row's steps, C2 (JDK 17) kept the accumulators in memory).
     */
    private static void block8x2(float[] x, int in, int pixStride, int[] steps, float[] k, int cout, int co,
                                 float[] bias, ColumnMap map, float[] y, int out) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (bias == null) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(F);
        } else {
            c00 = c10 = c20 = c30 = c40 = c50 = c60 = c70 = FloatVector.fromArray(F, bias, co);
            c01 = c11 = c21 = c31 = c41 = c51 = c61 = c71 = FloatVector.fromArray(F, bias, co + L);
        }
        int s = pixStride;
        for (int p = 0, wi = co; p < steps.length; p++, wi += cout) {
            int i = in + steps[p];
            FloatVector w0 = FloatVector.fromArray(F, k, wi), w1 = FloatVector.fromArray(F, k, wi + L);
            FloatVector v = FloatVector.broadcast(F, x[i]);
            c00 = v.fma(w0, c00);
            c01 = v.fma(w1, c01);
            v = FloatVector.broadcast(F, x[i + s]);
            c10 = v.fma(w0, c10);
            c11 = v.fma(w1, c11);
            v = FloatVector.broadcast(F, x[i + 2 * s]);
            c20 = v.fma(w0, c20);
            c21 = v.fma(w1, c21);
            v = FloatVector.broadcast(F, x[i + 3 * s]);
            c30 = v.fma(w0, c30);
            c31 = v.fma(w1, c31);
            v = FloatVector.broadcast(F, x[i + 4 * s]);
            c40 = v.fma(w0, c40);
            c41 = v.fma(w1, c41);
            v = FloatVector.broadcast(F, x[i + 5 * s]);
            c50 = v.fma(w0, c50);
            c51 = v.fma(w1, c51);
            v = FloatVector.broadcast(F, x[i + 6 * s]);
            c60 = v.fma(w0, c60);
            c61 = v.fma(w1, c61);
            v = FloatVector.broadcast(F, x[i + 7 * s]);
            c70 = v.fma(w0, c70);
            c71 = v.fma(w1, c71);
        }
        int o = out + co;
        if (map == null) {
            c00.intoArray(y, o);
            c01.intoArray(y, o + L);
            c10.intoArray(y, o + cout);
            c11.intoArray(y, o + cout + L);
            c20.intoArray(y, o + 2 * cout);
            c21.intoArray(y, o + 2 * cout + L);
            c30.intoArray(y, o + 3 * cout);
            c31.intoArray(y, o + 3 * cout + L);
            c40.intoArray(y, o + 4 * cout);
            c41.intoArray(y, o + 4 * cout + L);
            c50.intoArray(y, o + 5 * cout);
            c51.intoArray(y, o + 5 * cout + L);
            c60.intoArray(y, o + 6 * cout);
            c61.intoArray(y, o + 6 * cout + L);
            c70.intoArray(y, o + 7 * cout);
            c71.intoArray(y, o + 7 * cout + L);
        } else {
            float[] sc = map.scale(), sh = map.shift();
            FloatVector s0 = sc == null ? ONE : FloatVector.fromArray(F, sc, co);
            FloatVector s1 = sc == null ? ONE : FloatVector.fromArray(F, sc, co + L);
            FloatVector t0 = sh == null ? MINUS_ZERO : FloatVector.fromArray(F, sh, co);
            FloatVector t1 = sh == null ? MINUS_ZERO : FloatVector.fromArray(F, sh, co + L);
            FloatVector lo = FloatVector.broadcast(F, map.lo()), hi = FloatVector.broadcast(F, map.hi());
            c00.fma(s0, t0).max(lo).min(hi).intoArray(y, o);
            c01.fma(s1, t1).max(lo).min(hi).intoArray(y, o + L);
            c10.fma(s0, t0).max(lo).min(hi).intoArray(y, o + cout);
            c11.fma(s1, t1).max(lo).min(hi).intoArray(y, o + cout + L);
            c20.fma(s0, t0).max(lo).min(hi).intoArray(y, o + 2 * cout);
            c21.fma(s1, t1).max(lo).min(hi).intoArray(y, o + 2 * cout + L);
            c30.fma(s0, t0).max(lo).min(hi).intoArray(y, o + 3 * cout);
            c31.fma(s1, t1).max(lo).min(hi).intoArray(y, o + 3 * cout + L);
            c40.fma(s0, t0).max(lo).min(hi).intoArray(y, o + 4 * cout);
            c41.fma(s1, t1).max(lo).min(hi).intoArray(y, o + 4 * cout + L);
            c50.fma(s0, t0).max(lo).min(hi).intoArray(y, o + 5 * cout);
            c51.fma(s1, t1).max(lo).min(hi).intoArray(y, o + 5 * cout + L);
            c60.fma(s0, t0).max(lo).min(hi).intoArray(y, o + 6 * cout);
            c61.fma(s1, t1).max(lo).min(hi).intoArray(y, o + 6 * cout + L);
            c70.fma(s0, t0).max(lo).min(hi).intoArray(y, o + 7 * cout);
            c71.fma(s1, t1).max(lo).min(hi).intoArray(y, o + 7 * cout + L);
        }
    }
}
