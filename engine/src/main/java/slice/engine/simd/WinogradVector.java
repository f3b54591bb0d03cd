package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.WinogradConv;
import slice.engine.kernels.WinogradKernel;
import slice.engine.kernels.WinogradScalar;

/**
 * Vector Winograd F(2×2, 3×3) transforms, channels as lanes (NHWC: a pixel's channels are contiguous): a tile's 16
 * input vectors, or 16 M vectors, or a channel pair block's 9 kernel vectors are held in registers and combined with
 * the adds, subtracts and halvings {@link WinogradKernel} lists, in its order, lane by lane — so every lane computes
 * what {@link WinogradScalar} computes for its channel, bit for bit. Channels past the last full vector go to the
 * scalar twin's methods. Input pixels outside the image are a zero vector; output pixels past the edge are not stored.
 */
public final class WinogradVector implements WinogradKernel {
    private static final int L = F.length();

    @Override public void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector g00 = FloatVector.fromArray(F, kernel, k), g01 = FloatVector.fromArray(F, kernel, k + tap);
                FloatVector g02 = FloatVector.fromArray(F, kernel, k + 2 * tap), g10 = FloatVector.fromArray(F, kernel, k + 3 * tap);
                FloatVector g11 = FloatVector.fromArray(F, kernel, k + 4 * tap), g12 = FloatVector.fromArray(F, kernel, k + 5 * tap);
                FloatVector g20 = FloatVector.fromArray(F, kernel, k + 6 * tap), g21 = FloatVector.fromArray(F, kernel, k + 7 * tap);
                FloatVector g22 = FloatVector.fromArray(F, kernel, k + 8 * tap);
                // r = G g, column by column: rows r0 = g0 and r3 = g2 are the kernel's own rows
                FloatVector r10 = half(g00.add(g10).add(g20)), r11 = half(g01.add(g11).add(g21)), r12 = half(g02.add(g12).add(g22));
                FloatVector r20 = half(g00.sub(g10).add(g20)), r21 = half(g01.sub(g11).add(g21)), r22 = half(g02.sub(g12).add(g22));
                kernelRow(g00, g01, g02, u, k, tap, 0);
                kernelRow(r10, r11, r12, u, k, tap, 1);
                kernelRow(r20, r21, r22, u, k, tap, 2);
                kernelRow(g20, g21, g22, u, k, tap, 3);
            }
        }
        if (vecEnd < cout) WinogradScalar.kernelChannels(kernel, cin, cout, c0, c1, vecEnd, cout, u);
    }

    /** Row {@code i} of {@code U = r Gᵀ} from row {@code (r0, r1, r2)} of r. */
    private static void kernelRow(FloatVector r0, FloatVector r1, FloatVector r2, float[] u, int k, int tap, int i) {
        r0.intoArray(u, 4 * i * tap + k);
        half(r0.add(r1).add(r2)).intoArray(u, (4 * i + 1) * tap + k);
        half(r0.sub(r1).add(r2)).intoArray(u, (4 * i + 2) * tap + k);
        r2.intoArray(u, (4 * i + 3) * tap + k);
    }

    private static FloatVector half(FloatVector a) {
        return a.mul(0.5f);
    }

    @Override public void transformInput(WinogradConv g, float[] x, int t0, int t1, float[] v, int plane) {
        int cin = g.cin, vecEnd = F.loopBound(cin);
        int[] at = new int[16];
        float[] zeros = new float[cin];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            int vOff = (t - t0) * cin;
            for (int c = 0; c < vecEnd; c += L) {
                // e = d B, row by row
                FloatVector d0 = load(x, zeros, at[0], c), d1 = load(x, zeros, at[1], c), d2 = load(x, zeros, at[2], c), d3 = load(x, zeros, at[3], c);
                FloatVector e00 = d0.sub(d2), e01 = d1.add(d2), e02 = d2.sub(d1), e03 = d1.sub(d3);
                d0 = load(x, zeros, at[4], c); d1 = load(x, zeros, at[5], c); d2 = load(x, zeros, at[6], c); d3 = load(x, zeros, at[7], c);
                FloatVector e10 = d0.sub(d2), e11 = d1.add(d2), e12 = d2.sub(d1), e13 = d1.sub(d3);
                d0 = load(x, zeros, at[8], c); d1 = load(x, zeros, at[9], c); d2 = load(x, zeros, at[10], c); d3 = load(x, zeros, at[11], c);
                FloatVector e20 = d0.sub(d2), e21 = d1.add(d2), e22 = d2.sub(d1), e23 = d1.sub(d3);
                d0 = load(x, zeros, at[12], c); d1 = load(x, zeros, at[13], c); d2 = load(x, zeros, at[14], c); d3 = load(x, zeros, at[15], c);
                FloatVector e30 = d0.sub(d2), e31 = d1.add(d2), e32 = d2.sub(d1), e33 = d1.sub(d3);
                // V = Bᵀ e, column by column
                int o = vOff + c;
                inputColumn(e00, e10, e20, e30, v, o, plane);
                inputColumn(e01, e11, e21, e31, v, o + plane, plane);
                inputColumn(e02, e12, e22, e32, v, o + 2 * plane, plane);
                inputColumn(e03, e13, e23, e33, v, o + 3 * plane, plane);
            }
            if (vecEnd < cin) WinogradScalar.inputChannels(x, at, vecEnd, cin, v, vOff, plane);
        }
    }

    /**
     * Channels {@code c..c+L} of the input pixel at {@code offset}, or of {@code zeros} where it is −1: choosing the
     * array, not the vector, keeps the vector out of a branch (a vector merged from two branches may be boxed).
     */
    private static FloatVector load(float[] x, float[] zeros, int offset, int c) {
        return FloatVector.fromArray(F, offset < 0 ? zeros : x, offset < 0 ? c : offset + c);
    }

    /** Column j of {@code V = Bᵀ e} (rows ξ = j, 4 + j, 8 + j, 12 + j) from column {@code (e0, e1, e2, e3)} of e. */
    private static void inputColumn(FloatVector e0, FloatVector e1, FloatVector e2, FloatVector e3, float[] v, int off, int plane) {
        e0.sub(e2).intoArray(v, off);
        e1.add(e2).intoArray(v, off + 4 * plane);
        e2.sub(e1).intoArray(v, off + 8 * plane);
        e1.sub(e3).intoArray(v, off + 12 * plane);
    }

    @Override public void transformOutput(WinogradConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        // Absent steps as exact identities, so no vector depends on a branch: x + (−0) = x, fma(x, 1, −0) = x,
        // min(max(x, −∞), +∞) = x, for every x including ±0.
        float[] minusZeros = new float[cout], ones = new float[cout];
        Arrays.fill(minusZeros, -0f);
        Arrays.fill(ones, 1f);
        boolean affine = map != null && map.scale() != null;
        float[] b = bias == null ? minusZeros : bias, scale = affine ? map.scale() : ones, shift = affine ? map.shift() : minusZeros;
        FloatVector lo = FloatVector.broadcast(F, map == null ? Float.NEGATIVE_INFINITY : map.lo());
        FloatVector hi = FloatVector.broadcast(F, map == null ? Float.POSITIVE_INFINITY : map.hi());
        int[] at = new int[4];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int mOff = (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                int k = mOff + o;
                // s = Aᵀ M, column by column: s0j = (m0j + m1j) + m2j, s1j = (m1j − m2j) − m3j
                FloatVector m0 = FloatVector.fromArray(F, m, k), m1 = FloatVector.fromArray(F, m, k + 4 * plane);
                FloatVector m2 = FloatVector.fromArray(F, m, k + 8 * plane), m3 = FloatVector.fromArray(F, m, k + 12 * plane);
                FloatVector s00 = m0.add(m1).add(m2), s10 = m1.sub(m2).sub(m3);
                m0 = FloatVector.fromArray(F, m, k + plane); m1 = FloatVector.fromArray(F, m, k + 5 * plane);
                m2 = FloatVector.fromArray(F, m, k + 9 * plane); m3 = FloatVector.fromArray(F, m, k + 13 * plane);
                FloatVector s01 = m0.add(m1).add(m2), s11 = m1.sub(m2).sub(m3);
                m0 = FloatVector.fromArray(F, m, k + 2 * plane); m1 = FloatVector.fromArray(F, m, k + 6 * plane);
                m2 = FloatVector.fromArray(F, m, k + 10 * plane); m3 = FloatVector.fromArray(F, m, k + 14 * plane);
                FloatVector s02 = m0.add(m1).add(m2), s12 = m1.sub(m2).sub(m3);
                m0 = FloatVector.fromArray(F, m, k + 3 * plane); m1 = FloatVector.fromArray(F, m, k + 7 * plane);
                m2 = FloatVector.fromArray(F, m, k + 11 * plane); m3 = FloatVector.fromArray(F, m, k + 15 * plane);
                FloatVector s03 = m0.add(m1).add(m2), s13 = m1.sub(m2).sub(m3);
                // Y = s A, row by row, then bias and map
                FloatVector bo = FloatVector.fromArray(F, b, o), so = FloatVector.fromArray(F, scale, o), to = FloatVector.fromArray(F, shift, o);
                FloatVector y00 = s00.add(s01).add(s02).add(bo).fma(so, to).max(lo).min(hi);
                FloatVector y01 = s01.sub(s02).sub(s03).add(bo).fma(so, to).max(lo).min(hi);
                FloatVector y10 = s10.add(s11).add(s12).add(bo).fma(so, to).max(lo).min(hi);
                FloatVector y11 = s11.sub(s12).sub(s13).add(bo).fma(so, to).max(lo).min(hi);
                if (at[0] >= 0) y00.intoArray(y, at[0] + o);
                if (at[1] >= 0) y01.intoArray(y, at[1] + o);
                if (at[2] >= 0) y10.intoArray(y, at[2] + o);
                if (at[3] >= 0) y11.intoArray(y, at[3] + o);
            }
            if (vecEnd < cout) WinogradScalar.outputChannels(m, mOff, plane, vecEnd, cout, bias, map, at, y);
        }
    }

    @Override public void transformOutputGradient(WinogradConv g, float[] dy, int t0, int t1, float[] z, int plane) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        int[] at = new int[4];
        float[] zeros = new float[cout];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int zOff = (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                FloatVector d00 = load(dy, zeros, at[0], o), d01 = load(dy, zeros, at[1], o);
                FloatVector d10 = load(dy, zeros, at[2], o), d11 = load(dy, zeros, at[3], o);
                int k = zOff + o; // r = A dy, down each column; then Z = r Aᵀ, row by row
                gradientRow(d00, d01, z, k, plane);
                gradientRow(d00.add(d10), d01.add(d11), z, k + 4 * plane, plane);
                gradientRow(d00.sub(d10), d01.sub(d11), z, k + 8 * plane, plane);
                gradientRow(d10.neg(), d11.neg(), z, k + 12 * plane, plane);
            }
            if (vecEnd < cout) WinogradScalar.gradientChannels(dy, at, vecEnd, cout, z, zOff, plane);
        }
    }

    /** Row {@code (a, a + b, a − b, −b)} of Z from row {@code (a, b)} of r, its first vector at {@code z[k]}. */
    private static void gradientRow(FloatVector a, FloatVector b, float[] z, int k, int plane) {
        a.intoArray(z, k);
        a.add(b).intoArray(z, k + plane);
        a.sub(b).intoArray(z, k + 2 * plane);
        b.neg().intoArray(z, k + 3 * plane);
    }

    @Override public void transformKernelGradient(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                // q = Gᵀ dU, column by column: (u0 + h, ½(u1 − u2), h + u3), h = ½(u1 + u2); qij row i, column j
                FloatVector u0 = FloatVector.fromArray(F, du, k), u1 = FloatVector.fromArray(F, du, k + 4 * tap);
                FloatVector u2 = FloatVector.fromArray(F, du, k + 8 * tap), u3 = FloatVector.fromArray(F, du, k + 12 * tap);
                FloatVector h = half(u1.add(u2)), q00 = u0.add(h), q10 = half(u1.sub(u2)), q20 = h.add(u3);
                u0 = FloatVector.fromArray(F, du, k + tap); u1 = FloatVector.fromArray(F, du, k + 5 * tap);
                u2 = FloatVector.fromArray(F, du, k + 9 * tap); u3 = FloatVector.fromArray(F, du, k + 13 * tap);
                h = half(u1.add(u2));
                FloatVector q01 = u0.add(h), q11 = half(u1.sub(u2)), q21 = h.add(u3);
                u0 = FloatVector.fromArray(F, du, k + 2 * tap); u1 = FloatVector.fromArray(F, du, k + 6 * tap);
                u2 = FloatVector.fromArray(F, du, k + 10 * tap); u3 = FloatVector.fromArray(F, du, k + 14 * tap);
                h = half(u1.add(u2));
                FloatVector q02 = u0.add(h), q12 = half(u1.sub(u2)), q22 = h.add(u3);
                u0 = FloatVector.fromArray(F, du, k + 3 * tap); u1 = FloatVector.fromArray(F, du, k + 7 * tap);
                u2 = FloatVector.fromArray(F, du, k + 11 * tap); u3 = FloatVector.fromArray(F, du, k + 15 * tap);
                h = half(u1.add(u2));
                FloatVector q03 = u0.add(h), q13 = half(u1.sub(u2)), q23 = h.add(u3);
                kernelGradientRow(q00, q01, q02, q03, dw, k, tap, 0); // dW = q G, row by row
                kernelGradientRow(q10, q11, q12, q13, dw, k, tap, 1);
                kernelGradientRow(q20, q21, q22, q23, dw, k, tap, 2);
            }
        }
        if (vecEnd < cout) WinogradScalar.kernelGradientChannels(du, cin, cout, c0, c1, vecEnd, cout, dw);
    }

    /**
     * Row {@code i} of {@code dW = q G}, {@code (a + h, ½(b − c), h + d)} with {@code h = ½(b + c)}, from row
     * {@code (a, b, c, d)} of q.
     */
    private static void kernelGradientRow(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float[] dw, int k, int tap, int i) {
        FloatVector h = half(b.add(c));
        a.add(h).intoArray(dw, k + 3 * i * tap);
        half(b.sub(c)).intoArray(dw, k + (3 * i + 1) * tap);
        h.add(d).intoArray(dw, k + (3 * i + 2) * tap);
    }
}
