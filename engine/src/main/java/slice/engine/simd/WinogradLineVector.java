package slice.engine.simd;

import static slice.engine.kernels.WinogradLineKernel.G12;
import static slice.engine.kernels.WinogradLineKernel.G36;
import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.WinogradLineConv;
import slice.engine.kernels.WinogradLineKernel;
import slice.engine.kernels.WinogradLineScalar;

/**
 * Vector Winograd F(2, 7) and F(2, 3) transforms, channels as lanes (NHWC: a pixel's channels are contiguous): a tile's
 * r + 1 input vectors (8 or 4), or r + 1 M vectors, or a channel pair block's r kernel vectors are held in registers and combined with the adds,
 * subtracts and multiplications {@link WinogradLineKernel} lists, in its order, lane by lane — so every lane computes
 * what {@link WinogradLineScalar} computes for its channel, bit for bit. Channels past the last full vector go to the
 * scalar twin's methods. Input pixels outside the image are a zero vector; output pixels past the edge are not stored.
 * F(2, 7)'s kernel-gradient transform runs in two passes, part of the taps per pass, so that C2 compiles each pass
 * whole ({@link #transformKernelGradient} says why).
 *
 * <p>In the forward's input and kernel transforms, rows 1–6 (three pairs {@code a ± b} of the same form) are a loop of
 * three over the pair, its coefficients chosen by the pair's index, not three copies, so that C2 parses the pair's
 * operations once. With the three copies written out, a method held some 40 Vector API calls; past C2's
 * parse budget the last ones were inlined late, their receivers no longer of an exact type, and in a process whose
 * {@code VectorOperators} profile had recorded type-check traps (InceptionV3's fine-tuning step) C2 then could not
 * make the last stores' species constant and left them as calls on boxed vectors. A coefficient of 1 where a pair
 * has none is exact, so every lane's operations and bits are the ones of {@link WinogradLineScalar}.
 */
public final class WinogradLineVector implements WinogradLineKernel {
    private static final int L = F.length();

    @Override public void transformKernel(int taps, float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        if (taps == 3) {
            transformKernel3(kernel, cin, cout, c0, c1, u);
            return;
        }
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector g0 = FloatVector.fromArray(F, kernel, k), g1 = FloatVector.fromArray(F, kernel, k + tap);
                FloatVector g2 = FloatVector.fromArray(F, kernel, k + 2 * tap), g3 = FloatVector.fromArray(F, kernel, k + 3 * tap);
                FloatVector g4 = FloatVector.fromArray(F, kernel, k + 4 * tap), g5 = FloatVector.fromArray(F, kernel, k + 5 * tap);
                FloatVector g6 = FloatVector.fromArray(F, kernel, k + 6 * tap);
                g0.intoArray(u, k);
                for (int r = 0; r < 3; r++) { // rows 2r + 1 and 2r + 2 (×1 is exact: the same bits as no multiplication)
                    FloatVector e = g0.mul(r == 2 ? 64f : 1f).add(g2.mul(r == 0 ? 1f : r == 1 ? 4f : 16f))
                            .add(g4.mul(r == 0 ? 1f : r == 1 ? 16f : 4f)).add(g6.mul(r == 1 ? 64f : 1f));
                    FloatVector od = g1.mul(r == 0 ? 1f : r == 1 ? 2f : 32f).add(g3.mul(r == 0 ? 1f : 8f))
                            .add(g5.mul(r == 0 ? 1f : r == 1 ? 32f : 2f));
                    float factor = r == 0 ? G12 : G36;
                    e.add(od).mul(factor).intoArray(u, (2 * r + 1) * tap + k);
                    e.sub(od).mul(factor).intoArray(u, (2 * r + 2) * tap + k);
                }
                g6.intoArray(u, 7 * tap + k);
            }
        }
        if (vecEnd < cout) WinogradLineScalar.kernelChannels(kernel, cin, cout, c0, c1, vecEnd, cout, u);
    }

    /** F(2, 3)'s kernel transform. */
    private static void transformKernel3(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector g0 = FloatVector.fromArray(F, kernel, k), g1 = FloatVector.fromArray(F, kernel, k + tap);
                FloatVector g2 = FloatVector.fromArray(F, kernel, k + 2 * tap), e = g0.add(g2);
                g0.intoArray(u, k);
                e.add(g1).mul(0.5f).intoArray(u, tap + k);
                e.sub(g1).mul(0.5f).intoArray(u, 2 * tap + k);
                g2.intoArray(u, 3 * tap + k);
            }
        }
        if (vecEnd < cout) WinogradLineScalar.kernelChannels3(kernel, cin, cout, c0, c1, vecEnd, cout, u);
    }

    @Override public void transformInput(WinogradLineConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        if (g.taps == 3) {
            transformInput3(g, x, t0, t1, v, off, plane);
            return;
        }
        int cin = g.cin, vecEnd = F.loopBound(cin);
        int[] at = new int[8];
        float[] zeros = new float[cin];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            int vOff = off + (t - t0) * cin;
            for (int c = 0; c < vecEnd; c += L) {
                FloatVector d0 = load(x, zeros, at[0], c), d1 = load(x, zeros, at[1], c), d2 = load(x, zeros, at[2], c);
                FloatVector d3 = load(x, zeros, at[3], c), d4 = load(x, zeros, at[4], c), d5 = load(x, zeros, at[5], c);
                FloatVector d6 = load(x, zeros, at[6], c), d7 = load(x, zeros, at[7], c);
                int o = vOff + c;
                d0.sub(d6).add(d4.sub(d2).mul(5.25f)).intoArray(v, o);
                for (int r = 0; r < 3; r++) { // rows 2r + 1 and 2r + 2 (×1 is exact: the same bits as no multiplication)
                    FloatVector a = d2.mul(r == 0 ? 1f : r == 1 ? 0.25f : 4f).add(d6).sub(d4.mul(r == 0 ? 4.25f : r == 1 ? 1.25f : 5f));
                    FloatVector b = d1.mul(r == 0 ? 1f : r == 1 ? 0.5f : 2f).add(d5.mul(r == 0 ? 1f : r == 1 ? 2f : 0.5f))
                            .sub(d3.mul(r == 0 ? 4.25f : 2.5f));
                    a.add(b).intoArray(v, o + (2 * r + 1) * plane);
                    a.sub(b).intoArray(v, o + (2 * r + 2) * plane);
                }
                d7.sub(d1).add(d3.sub(d5).mul(5.25f)).intoArray(v, o + 7 * plane);
            }
            if (vecEnd < cin) WinogradLineScalar.inputChannels(x, at, vecEnd, cin, v, vOff, plane);
        }
    }

    /** F(2, 3)'s input transform. */
    private static void transformInput3(WinogradLineConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int cin = g.cin, vecEnd = F.loopBound(cin);
        int[] at = new int[4];
        float[] zeros = new float[cin];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            int vOff = off + (t - t0) * cin;
            for (int c = 0; c < vecEnd; c += L) {
                FloatVector d0 = load(x, zeros, at[0], c), d1 = load(x, zeros, at[1], c), d2 = load(x, zeros, at[2], c);
                FloatVector d3 = load(x, zeros, at[3], c);
                int o = vOff + c;
                d0.sub(d2).intoArray(v, o);
                d1.add(d2).intoArray(v, o + plane);
                d2.sub(d1).intoArray(v, o + 2 * plane);
                d1.sub(d3).intoArray(v, o + 3 * plane);
            }
            if (vecEnd < cin) WinogradLineScalar.inputChannels3(x, at, vecEnd, cin, v, vOff, plane);
        }
    }

    /** Channels {@code c..c+L} of the input pixel at {@code offset}, or of {@code zeros} where it is −1 (as WinogradVector). */
    private static FloatVector load(float[] x, float[] zeros, int offset, int c) {
        return FloatVector.fromArray(F, offset < 0 ? zeros : x, offset < 0 ? c : offset + c);
    }

    @Override public void transformOutput(WinogradLineConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        if (g.taps == 3) {
            transformOutput3(g, m, t0, t1, plane, bias, map, y);
            return;
        }
        int cout = g.cout, vecEnd = F.loopBound(cout);
        OutputSteps steps = OutputSteps.of(cout, bias, map);
        float[] b = steps.bias(), scale = steps.scale(), shift = steps.shift();
        FloatVector lo = FloatVector.broadcast(F, steps.lo()), hi = FloatVector.broadcast(F, steps.hi());
        int[] at = new int[2];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int mOff = (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                int k = mOff + o;
                FloatVector m0 = FloatVector.fromArray(F, m, k), m1 = FloatVector.fromArray(F, m, k + plane);
                FloatVector m2 = FloatVector.fromArray(F, m, k + 2 * plane), m3 = FloatVector.fromArray(F, m, k + 3 * plane);
                FloatVector m4 = FloatVector.fromArray(F, m, k + 4 * plane), m5 = FloatVector.fromArray(F, m, k + 5 * plane);
                FloatVector m6 = FloatVector.fromArray(F, m, k + 6 * plane), m7 = FloatVector.fromArray(F, m, k + 7 * plane);
                FloatVector bo = FloatVector.fromArray(F, b, o), so = FloatVector.fromArray(F, scale, o), to = FloatVector.fromArray(F, shift, o);
                FloatVector y0 = m0.add(m1.add(m2)).add(m3.add(m4)).add(m5.add(m6));
                FloatVector y1 = m1.sub(m2).add(m3.sub(m4).mul(2f)).add(m5.sub(m6).mul(0.5f)).add(m7);
                y0 = y0.add(bo).fma(so, to).max(lo).min(hi);
                y1 = y1.add(bo).fma(so, to).max(lo).min(hi);
                if (at[0] >= 0) y0.intoArray(y, at[0] + o);
                if (at[1] >= 0) y1.intoArray(y, at[1] + o);
            }
            if (vecEnd < cout) WinogradLineScalar.outputChannels(m, mOff, plane, vecEnd, cout, bias, map, at, y);
        }
    }

    /** F(2, 3)'s output transform. */
    private static void transformOutput3(WinogradLineConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map,
                                         float[] y) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        OutputSteps steps = OutputSteps.of(cout, bias, map);
        float[] b = steps.bias(), scale = steps.scale(), shift = steps.shift();
        FloatVector lo = FloatVector.broadcast(F, steps.lo()), hi = FloatVector.broadcast(F, steps.hi());
        int[] at = new int[2];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int mOff = (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                int k = mOff + o;
                FloatVector m0 = FloatVector.fromArray(F, m, k), m1 = FloatVector.fromArray(F, m, k + plane);
                FloatVector m2 = FloatVector.fromArray(F, m, k + 2 * plane), m3 = FloatVector.fromArray(F, m, k + 3 * plane);
                FloatVector bo = FloatVector.fromArray(F, b, o), so = FloatVector.fromArray(F, scale, o), to = FloatVector.fromArray(F, shift, o);
                FloatVector y0 = m0.add(m1).add(m2).add(bo).fma(so, to).max(lo).min(hi);
                FloatVector y1 = m1.sub(m2).sub(m3).add(bo).fma(so, to).max(lo).min(hi);
                if (at[0] >= 0) y0.intoArray(y, at[0] + o);
                if (at[1] >= 0) y1.intoArray(y, at[1] + o);
            }
            if (vecEnd < cout) WinogradLineScalar.outputChannels3(m, mOff, plane, vecEnd, cout, bias, map, at, y);
        }
    }

    @Override public void transformOutputGradient(WinogradLineConv g, float[] dy, int t0, int t1, float[] z, int off, int plane) {
        if (g.taps == 3) {
            transformOutputGradient3(g, dy, t0, t1, z, off, plane);
            return;
        }
        int cout = g.cout, vecEnd = F.loopBound(cout);
        int[] at = new int[2];
        float[] zeros = new float[cout];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int zOff = off + (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                FloatVector d0 = load(dy, zeros, at[0], o), d1 = load(dy, zeros, at[1], o);
                int k = zOff + o;
                d0.intoArray(z, k);
                d0.add(d1).intoArray(z, k + plane);
                d0.sub(d1).intoArray(z, k + 2 * plane);
                FloatVector twice = d1.mul(2f), half = d1.mul(0.5f);
                d0.add(twice).intoArray(z, k + 3 * plane);
                d0.sub(twice).intoArray(z, k + 4 * plane);
                d0.add(half).intoArray(z, k + 5 * plane);
                d0.sub(half).intoArray(z, k + 6 * plane);
                d1.intoArray(z, k + 7 * plane);
            }
            if (vecEnd < cout) WinogradLineScalar.gradientChannels(dy, at, vecEnd, cout, z, zOff, plane);
        }
    }

    /** F(2, 3)'s output-gradient transform. */
    private static void transformOutputGradient3(WinogradLineConv g, float[] dy, int t0, int t1, float[] z, int off, int plane) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        int[] at = new int[2];
        float[] zeros = new float[cout];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int zOff = off + (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                FloatVector d0 = load(dy, zeros, at[0], o), d1 = load(dy, zeros, at[1], o);
                int k = zOff + o;
                d0.intoArray(z, k);
                d0.add(d1).intoArray(z, k + plane);
                d0.sub(d1).intoArray(z, k + 2 * plane);
                d1.neg().intoArray(z, k + 3 * plane);
            }
            if (vecEnd < cout) WinogradLineScalar.gradientChannels3(dy, at, vecEnd, cout, z, zOff, plane);
        }
    }

    /**
     * F(2, 7): two passes over the channel pairs, the even taps (from the sums {@code dU1 + dU2}, …) then the odd ones (from the
     * differences): a method with all 7 taps is larger than C2 compiles whole, and the Vector API calls past its
     * inlining budget stay calls on boxed vectors (allocation in every call). Each lane's arithmetic is the one-pass
     * order, so the bits are the same.
     */
    @Override public void transformKernelGradient(int taps, float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        if (taps == 3) {
            transformKernelGradient3(du, cin, cout, c0, c1, dw);
            return;
        }
        kernelGradientEvenTaps(du, cin, cout, c0, c1, dw);
        kernelGradientOddTaps(du, cin, cout, c0, c1, dw);
        int vecEnd = F.loopBound(cout);
        if (vecEnd < cout) WinogradLineScalar.kernelGradientChannels(du, cin, cout, c0, c1, vecEnd, cout, dw);
    }

    /** F(2, 3)'s kernel-gradient transform, its 3 taps in one pass. */
    private static void transformKernelGradient3(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector u1 = FloatVector.fromArray(F, du, k + tap), u2 = FloatVector.fromArray(F, du, k + 2 * tap);
                FloatVector half = u1.add(u2).mul(0.5f);
                FloatVector.fromArray(F, du, k).add(half).intoArray(dw, k);
                u1.sub(u2).mul(0.5f).intoArray(dw, k + tap);
                half.add(FloatVector.fromArray(F, du, k + 3 * tap)).intoArray(dw, k + 2 * tap);
            }
        }
        if (vecEnd < cout) WinogradLineScalar.kernelGradientChannels3(du, cin, cout, c0, c1, vecEnd, cout, dw);
    }

    /** Taps 0, 2, 4 and 6: tap 0 adds {@code dU0}, tap 6 adds {@code dU7}. */
    private static void kernelGradientEvenTaps(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector p12 = FloatVector.fromArray(F, du, k + tap).add(FloatVector.fromArray(F, du, k + 2 * tap));
                FloatVector p34 = FloatVector.fromArray(F, du, k + 3 * tap).add(FloatVector.fromArray(F, du, k + 4 * tap));
                FloatVector p56 = FloatVector.fromArray(F, du, k + 5 * tap).add(FloatVector.fromArray(F, du, k + 6 * tap));
                FloatVector.fromArray(F, du, k).add(gradientTap(p12, p34, p56, 1f, 64f)).intoArray(dw, k);
                gradientTap(p12, p34, p56, 4f, 16f).intoArray(dw, k + 2 * tap);
                gradientTap(p12, p34, p56, 16f, 4f).intoArray(dw, k + 4 * tap);
                gradientTap(p12, p34, p56, 64f, 1f).add(FloatVector.fromArray(F, du, k + 7 * tap)).intoArray(dw, k + 6 * tap);
            }
        }
    }

    /** Taps 1, 3 and 5. */
    private static void kernelGradientOddTaps(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector m12 = FloatVector.fromArray(F, du, k + tap).sub(FloatVector.fromArray(F, du, k + 2 * tap));
                FloatVector m34 = FloatVector.fromArray(F, du, k + 3 * tap).sub(FloatVector.fromArray(F, du, k + 4 * tap));
                FloatVector m56 = FloatVector.fromArray(F, du, k + 5 * tap).sub(FloatVector.fromArray(F, du, k + 6 * tap));
                gradientTap(m12, m34, m56, 2f, 32f).intoArray(dw, k + tap);
                gradientTap(m12, m34, m56, 8f, 8f).intoArray(dw, k + 3 * tap);
                gradientTap(m12, m34, m56, 32f, 2f).intoArray(dw, k + 5 * tap);
            }
        }
    }

    /**
     * {@code G12·s12 + (2ʲ·s34 + 2⁶⁻ʲ·s56)·G36}, tap j's share of {@code dU1..dU6} with
     * {@code twoJ = 2ʲ}: at most 35 bytecodes, which C2 inlines at every call (a call left out of line boxes its vectors).
     */
    private static FloatVector gradientTap(FloatVector s12, FloatVector s34, FloatVector s56, float twoJ, float twoSixMinusJ) {
        return s12.mul(G12).add(s34.mul(twoJ).add(s56.mul(twoSixMinusJ)).mul(G36));
    }
}
