package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

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
 * The input, output and kernel transforms each run in two passes, half of the tile's (or channel pair's) outputs per
 * pass, so that C2 compiles each pass whole ({@link #transformInput} says why).
 */
public final class WinogradVector implements WinogradKernel {
    private static final int L = F.length();

    /**
     * Two passes over the channel pairs, rows 0–1 of {@code U = (G g) Gᵀ} then rows 2–3, for the reason
     * {@link #transformInput} gives; each lane's arithmetic is the one-pass order.
     */
    @Override public void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        kernelRows01(kernel, cin, cout, c0, c1, u);
        kernelRows23(kernel, cin, cout, c0, c1, u);
        int vecEnd = F.loopBound(cout);
        if (vecEnd < cout) WinogradScalar.kernelChannels(kernel, cin, cout, c0, c1, vecEnd, cout, u);
    }

    /** Rows 0 and 1 of U: rows 0 and 1 of {@code r = G g} are the kernel's row 0 and {@code ½((g0 + g1) + g2)}. */
    private static void kernelRows01(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector g00 = FloatVector.fromArray(F, kernel, k), g01 = FloatVector.fromArray(F, kernel, k + tap);
                FloatVector g02 = FloatVector.fromArray(F, kernel, k + 2 * tap), g10 = FloatVector.fromArray(F, kernel, k + 3 * tap);
                FloatVector g11 = FloatVector.fromArray(F, kernel, k + 4 * tap), g12 = FloatVector.fromArray(F, kernel, k + 5 * tap);
                FloatVector g20 = FloatVector.fromArray(F, kernel, k + 6 * tap), g21 = FloatVector.fromArray(F, kernel, k + 7 * tap);
                FloatVector g22 = FloatVector.fromArray(F, kernel, k + 8 * tap);
                kernelRow(g00, g01, g02, u, k, tap, 0);
                kernelRow(half(g00.add(g10).add(g20)), half(g01.add(g11).add(g21)), half(g02.add(g12).add(g22)), u, k, tap, 1);
            }
        }
    }

    /** Rows 2 and 3 of U: rows 2 and 3 of {@code r = G g} are {@code ½((g0 − g1) + g2)} and the kernel's row 2. */
    private static void kernelRows23(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector g00 = FloatVector.fromArray(F, kernel, k), g01 = FloatVector.fromArray(F, kernel, k + tap);
                FloatVector g02 = FloatVector.fromArray(F, kernel, k + 2 * tap), g10 = FloatVector.fromArray(F, kernel, k + 3 * tap);
                FloatVector g11 = FloatVector.fromArray(F, kernel, k + 4 * tap), g12 = FloatVector.fromArray(F, kernel, k + 5 * tap);
                FloatVector g20 = FloatVector.fromArray(F, kernel, k + 6 * tap), g21 = FloatVector.fromArray(F, kernel, k + 7 * tap);
                FloatVector g22 = FloatVector.fromArray(F, kernel, k + 8 * tap);
                kernelRow(half(g00.sub(g10).add(g20)), half(g01.sub(g11).add(g21)), half(g02.sub(g12).add(g22)), u, k, tap, 2);
                kernelRow(g20, g21, g22, u, k, tap, 3);
            }
        }
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

    /**
     * Two passes over the tiles, columns 0–1 of {@code e = d B} then columns 2–3 (each reads the 12 input pixels those
     * columns use): a method with all 16 vectors of a tile is larger than C2 compiles whole, and the Vector API calls
     * past its inlining budget stay calls on boxed vectors (allocation in every step). Each lane's arithmetic is the
     * one-pass order, so the bits are the same.
     */
    @Override public void transformInput(WinogradConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        inputColumns01(g, x, t0, t1, v, off, plane);
        inputColumns23(g, x, t0, t1, v, off, plane);
        int cin = g.cin, vecEnd = F.loopBound(cin);
        if (vecEnd == cin) return;
        int[] at = new int[16];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            WinogradScalar.inputChannels(x, at, vecEnd, cin, v, off + (t - t0) * cin, plane);
        }
    }

    /** Columns 0 and 1 of V (planes ξ = 4i and 4i + 1): {@code e_i0 = d_i0 − d_i2}, {@code e_i1 = d_i1 + d_i2}. */
    private static void inputColumns01(WinogradConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int cin = g.cin, vecEnd = F.loopBound(cin);
        int[] at = new int[16];
        float[] zeros = new float[cin];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            int vOff = off + (t - t0) * cin;
            for (int c = 0; c < vecEnd; c += L) {
                FloatVector d0 = load(x, zeros, at[0], c), d1 = load(x, zeros, at[1], c), d2 = load(x, zeros, at[2], c);
                FloatVector e00 = d0.sub(d2), e01 = d1.add(d2);
                d0 = load(x, zeros, at[4], c); d1 = load(x, zeros, at[5], c); d2 = load(x, zeros, at[6], c);
                FloatVector e10 = d0.sub(d2), e11 = d1.add(d2);
                d0 = load(x, zeros, at[8], c); d1 = load(x, zeros, at[9], c); d2 = load(x, zeros, at[10], c);
                FloatVector e20 = d0.sub(d2), e21 = d1.add(d2);
                d0 = load(x, zeros, at[12], c); d1 = load(x, zeros, at[13], c); d2 = load(x, zeros, at[14], c);
                FloatVector e30 = d0.sub(d2), e31 = d1.add(d2);
                int o = vOff + c;
                inputColumn(e00, e10, e20, e30, v, o, plane);
                inputColumn(e01, e11, e21, e31, v, o + plane, plane);
            }
        }
    }

    /** Columns 2 and 3 of V (planes ξ = 4i + 2 and 4i + 3): {@code e_i2 = d_i2 − d_i1}, {@code e_i3 = d_i1 − d_i3}. */
    private static void inputColumns23(WinogradConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int cin = g.cin, vecEnd = F.loopBound(cin);
        int[] at = new int[16];
        float[] zeros = new float[cin];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            int vOff = off + (t - t0) * cin;
            for (int c = 0; c < vecEnd; c += L) {
                FloatVector d1 = load(x, zeros, at[1], c), d2 = load(x, zeros, at[2], c), d3 = load(x, zeros, at[3], c);
                FloatVector e02 = d2.sub(d1), e03 = d1.sub(d3);
                d1 = load(x, zeros, at[5], c); d2 = load(x, zeros, at[6], c); d3 = load(x, zeros, at[7], c);
                FloatVector e12 = d2.sub(d1), e13 = d1.sub(d3);
                d1 = load(x, zeros, at[9], c); d2 = load(x, zeros, at[10], c); d3 = load(x, zeros, at[11], c);
                FloatVector e22 = d2.sub(d1), e23 = d1.sub(d3);
                d1 = load(x, zeros, at[13], c); d2 = load(x, zeros, at[14], c); d3 = load(x, zeros, at[15], c);
                FloatVector e32 = d2.sub(d1), e33 = d1.sub(d3);
                int o = vOff + c;
                inputColumn(e02, e12, e22, e32, v, o + 2 * plane, plane);
                inputColumn(e03, e13, e23, e33, v, o + 3 * plane, plane);
            }
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

    /**
     * Two passes over the tiles, output row 0 ({@code s0j = (m0j + m1j) + m2j}) then row 1 ({@code s1j = (m1j − m2j) −
     * m3j}), for the reason {@link #transformInput} gives; each lane's arithmetic is the one-pass order.
     */
    @Override public void transformOutput(WinogradConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        OutputSteps steps = OutputSteps.of(cout, bias, map);
        for (int row = 0; row < 2; row++) outputRow(g, m, t0, t1, plane, steps, y, row);
        if (vecEnd == cout) return;
        int[] at = new int[4];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            WinogradScalar.outputChannels(m, (t - t0) * cout, plane, vecEnd, cout, bias, map, at, y);
        }
    }

    /**
     * Output row {@code row} of every tile: {@code s_rj} from rows {@code row..row+2} of M (planes {@code 4i + j}),
     * then {@code y_r0 = (s_r0 + s_r1) + s_r2} and {@code y_r1 = (s_r1 − s_r2) − s_r3}, bias and map. {@code s_rj} is
     * {@code (a + sign·b) + sign·c}, {@code sign} ±1: {@code sign·b} is exact and {@code a + (−b)} is {@code a − b}, so
     * row 0 is {@code (m0j + m1j) + m2j} and row 1 {@code (m1j − m2j) − m3j} bit for bit.
     */
    private static void outputRow(WinogradConv g, float[] m, int t0, int t1, int plane, OutputSteps steps, float[] y, int row) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        float[] b = steps.bias(), scale = steps.scale(), shift = steps.shift();
        FloatVector lo = FloatVector.broadcast(F, steps.lo()), hi = FloatVector.broadcast(F, steps.hi());
        FloatVector sign = FloatVector.broadcast(F, row == 0 ? 1f : -1f);
        int first = row * 4 * plane, atY = 2 * row;
        int[] at = new int[4];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int mOff = (t - t0) * cout, y0 = at[atY], y1 = at[atY + 1];
            for (int o = 0; o < vecEnd; o += L) {
                int k = mOff + o + first;
                FloatVector s0 = FloatVector.fromArray(F, m, k).add(FloatVector.fromArray(F, m, k + 4 * plane).mul(sign))
                        .add(FloatVector.fromArray(F, m, k + 8 * plane).mul(sign));
                FloatVector s1 = FloatVector.fromArray(F, m, k + plane).add(FloatVector.fromArray(F, m, k + 5 * plane).mul(sign))
                        .add(FloatVector.fromArray(F, m, k + 9 * plane).mul(sign));
                FloatVector s2 = FloatVector.fromArray(F, m, k + 2 * plane).add(FloatVector.fromArray(F, m, k + 6 * plane).mul(sign))
                        .add(FloatVector.fromArray(F, m, k + 10 * plane).mul(sign));
                FloatVector s3 = FloatVector.fromArray(F, m, k + 3 * plane).add(FloatVector.fromArray(F, m, k + 7 * plane).mul(sign))
                        .add(FloatVector.fromArray(F, m, k + 11 * plane).mul(sign));
                FloatVector bo = FloatVector.fromArray(F, b, o), so = FloatVector.fromArray(F, scale, o), to = FloatVector.fromArray(F, shift, o);
                FloatVector ya = s0.add(s1).add(s2).add(bo).fma(so, to).max(lo).min(hi);
                FloatVector yb = s1.sub(s2).sub(s3).add(bo).fma(so, to).max(lo).min(hi);
                if (y0 >= 0) ya.intoArray(y, y0 + o);
                if (y1 >= 0) yb.intoArray(y, y1 + o);
            }
        }
    }

    @Override public void transformOutputGradient(WinogradConv g, float[] dy, int t0, int t1, float[] z, int off, int plane) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        int[] at = new int[4];
        float[] zeros = new float[cout];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int zOff = off + (t - t0) * cout;
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

    /**
     * {@code q = Gᵀ dU} column by column, {@code (u0 + h, ½(u1 − u2), h + u3)} with {@code h = ½(u1 + u2)}, then
     * {@code dW = q G} row by row; one pass over the channel pairs per row of q and dW, for the reason
     * {@link #transformInput} gives (each lane's arithmetic is the one-pass order).
     */
    @Override public void transformKernelGradient(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        kernelGradientRow0(du, cin, cout, c0, c1, dw);
        kernelGradientRow1(du, cin, cout, c0, c1, dw);
        kernelGradientRow2(du, cin, cout, c0, c1, dw);
        int vecEnd = F.loopBound(cout);
        if (vecEnd < cout) WinogradScalar.kernelGradientChannels(du, cin, cout, c0, c1, vecEnd, cout, dw);
    }

    /** Row 0 of q and dW: {@code q0j = u0j + ½(u1j + u2j)}, {@code u_ij} at plane {@code 4i + j}. */
    private static void kernelGradientRow0(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector q0 = FloatVector.fromArray(F, du, k).add(half(FloatVector.fromArray(F, du, k + 4 * tap).add(FloatVector.fromArray(F, du, k + 8 * tap))));
                FloatVector q1 = FloatVector.fromArray(F, du, k + tap).add(half(FloatVector.fromArray(F, du, k + 5 * tap).add(FloatVector.fromArray(F, du, k + 9 * tap))));
                FloatVector q2 = FloatVector.fromArray(F, du, k + 2 * tap).add(half(FloatVector.fromArray(F, du, k + 6 * tap).add(FloatVector.fromArray(F, du, k + 10 * tap))));
                FloatVector q3 = FloatVector.fromArray(F, du, k + 3 * tap).add(half(FloatVector.fromArray(F, du, k + 7 * tap).add(FloatVector.fromArray(F, du, k + 11 * tap))));
                kernelGradientRow(q0, q1, q2, q3, dw, k, tap, 0);
            }
        }
    }

    /** Row 1 of q and dW: {@code q1j = ½(u1j − u2j)}. */
    private static void kernelGradientRow1(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector q0 = half(FloatVector.fromArray(F, du, k + 4 * tap).sub(FloatVector.fromArray(F, du, k + 8 * tap)));
                FloatVector q1 = half(FloatVector.fromArray(F, du, k + 5 * tap).sub(FloatVector.fromArray(F, du, k + 9 * tap)));
                FloatVector q2 = half(FloatVector.fromArray(F, du, k + 6 * tap).sub(FloatVector.fromArray(F, du, k + 10 * tap)));
                FloatVector q3 = half(FloatVector.fromArray(F, du, k + 7 * tap).sub(FloatVector.fromArray(F, du, k + 11 * tap)));
                kernelGradientRow(q0, q1, q2, q3, dw, k, tap, 1);
            }
        }
    }

    /** Row 2 of q and dW: {@code q2j = ½(u1j + u2j) + u3j}. */
    private static void kernelGradientRow2(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                FloatVector q0 = half(FloatVector.fromArray(F, du, k + 4 * tap).add(FloatVector.fromArray(F, du, k + 8 * tap))).add(FloatVector.fromArray(F, du, k + 12 * tap));
                FloatVector q1 = half(FloatVector.fromArray(F, du, k + 5 * tap).add(FloatVector.fromArray(F, du, k + 9 * tap))).add(FloatVector.fromArray(F, du, k + 13 * tap));
                FloatVector q2 = half(FloatVector.fromArray(F, du, k + 6 * tap).add(FloatVector.fromArray(F, du, k + 10 * tap))).add(FloatVector.fromArray(F, du, k + 14 * tap));
                FloatVector q3 = half(FloatVector.fromArray(F, du, k + 7 * tap).add(FloatVector.fromArray(F, du, k + 11 * tap))).add(FloatVector.fromArray(F, du, k + 15 * tap));
                kernelGradientRow(q0, q1, q2, q3, dw, k, tap, 2);
            }
        }
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
