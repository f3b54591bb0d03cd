package slice.engine.simd;

import static slice.engine.kernels.Winograd5x5Kernel.G12;
import static slice.engine.kernels.Winograd5x5Kernel.G34;
import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.Winograd5x5Conv;
import slice.engine.kernels.Winograd5x5Kernel;
import slice.engine.kernels.Winograd5x5Scalar;

/**
 * Vector Winograd F(2×2, 5×5) transforms, channels as lanes (NHWC: a pixel's channels are contiguous): each 2-D
 * transform is its 1-D one along the first axis into a scratch array of vectors, then along the second axis from it,
 * one line of five or six vectors at a time, with the adds, subtracts and multiplications {@link Winograd5x5Kernel}
 * lists, in its order, lane by lane — so every lane computes what {@link Winograd5x5Scalar} computes for its channel,
 * bit for bit. Each 2-D transform is a loop over its lines, not written out line by line, so that each method stays
 * within what C2 compiles whole (as {@link WinogradLineVector} explains). Channels past the last full vector go to the scalar twin's methods.
 * Input pixels outside the image are a zero vector; output pixels past the edge are not stored.
 */
public final class Winograd5x5Vector implements Winograd5x5Kernel {
    private static final int L = F.length();

    @Override public void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        int tap = cin * cout, vecEnd = F.loopBound(cout);
        float[] r = new float[30 * L]; // r = G g: r[i][kx] at (5i + kx)·L
        for (int c = c0; c < c1; c++) {
            for (int o = 0; o < vecEnd; o += L) {
                int k = c * cout + o;
                for (int kx = 0; kx < 5; kx++) { // down each column of the kernel
                    kernelLine(FloatVector.fromArray(F, kernel, k + kx * tap), FloatVector.fromArray(F, kernel, k + (5 + kx) * tap),
                            FloatVector.fromArray(F, kernel, k + (10 + kx) * tap), FloatVector.fromArray(F, kernel, k + (15 + kx) * tap),
                            FloatVector.fromArray(F, kernel, k + (20 + kx) * tap), r, kx * L, 5 * L);
                }
                for (int i = 0; i < 6; i++) { // U = r Gᵀ along each row of r
                    int row = 5 * i * L;
                    kernelLine(FloatVector.fromArray(F, r, row), FloatVector.fromArray(F, r, row + L),
                            FloatVector.fromArray(F, r, row + 2 * L), FloatVector.fromArray(F, r, row + 3 * L),
                            FloatVector.fromArray(F, r, row + 4 * L), u, 6 * i * tap + k, tap);
                }
            }
        }
        if (vecEnd < cout) Winograd5x5Scalar.kernelChannels(kernel, cin, cout, c0, c1, vecEnd, cout, u);
    }

    /** {@code G g} of five vectors, written to {@code out[off + ξ·stride]}. */
    private static void kernelLine(FloatVector g0, FloatVector g1, FloatVector g2, FloatVector g3, FloatVector g4,
                                   float[] out, int off, int stride) {
        g0.mul(0.25f).intoArray(out, off);
        FloatVector e = g0.add(g2).add(g4), od = g1.add(g3);
        e.add(od).mul(G12).intoArray(out, off + stride);
        e.sub(od).mul(G12).intoArray(out, off + 2 * stride);
        e = g0.add(g2.mul(4f)).add(g4.mul(16f));
        od = g1.mul(2f).add(g3.mul(8f));
        e.add(od).mul(G34).intoArray(out, off + 3 * stride);
        e.sub(od).mul(G34).intoArray(out, off + 4 * stride);
        g4.intoArray(out, off + 5 * stride);
    }

    @Override public void transformInput(Winograd5x5Conv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int cin = g.cin, vecEnd = F.loopBound(cin);
        int[] at = new int[36];
        float[] zeros = new float[cin], e = new float[36 * L]; // e = d B: e[i][j] at (6j + i)·L
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, at);
            int vOff = off + (t - t0) * cin;
            for (int c = 0; c < vecEnd; c += L) {
                for (int i = 0; i < 6; i++) { // along each row of d
                    int row = 6 * i;
                    inputLine(load(x, zeros, at[row], c), load(x, zeros, at[row + 1], c), load(x, zeros, at[row + 2], c),
                            load(x, zeros, at[row + 3], c), load(x, zeros, at[row + 4], c), load(x, zeros, at[row + 5], c),
                            e, i * L, 6 * L);
                }
                for (int j = 0; j < 6; j++) { // V = Bᵀ e down each column of e
                    int col = 6 * j * L;
                    inputLine(FloatVector.fromArray(F, e, col), FloatVector.fromArray(F, e, col + L),
                            FloatVector.fromArray(F, e, col + 2 * L), FloatVector.fromArray(F, e, col + 3 * L),
                            FloatVector.fromArray(F, e, col + 4 * L), FloatVector.fromArray(F, e, col + 5 * L),
                            v, vOff + j * plane + c, 6 * plane);
                }
            }
            if (vecEnd < cin) Winograd5x5Scalar.inputChannels(x, at, vecEnd, cin, v, vOff, plane);
        }
    }

    /** {@code Bᵀ d} of six vectors, written to {@code out[off + ξ·stride]}. */
    private static void inputLine(FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3, FloatVector d4, FloatVector d5,
                                  float[] out, int off, int stride) {
        d0.mul(4f).add(d4).sub(d2.mul(5f)).intoArray(out, off);
        d3.add(d4).sub(d1.add(d2).mul(4f)).intoArray(out, off + stride);
        d4.sub(d3).add(d1.sub(d2).mul(4f)).intoArray(out, off + 2 * stride);
        FloatVector a = d4.sub(d2), b = d3.sub(d1).mul(2f);
        a.add(b).intoArray(out, off + 3 * stride);
        a.sub(b).intoArray(out, off + 4 * stride);
        d1.mul(4f).add(d5).sub(d3.mul(5f)).intoArray(out, off + 5 * stride);
    }

    /**
     * Channels {@code c..c+L} of the input pixel at {@code offset}, or of {@code zeros} where it is −1 (as
     * {@link WinogradVector}: choosing the array, not the vector, keeps the vector out of a branch).
     */
    private static FloatVector load(float[] x, float[] zeros, int offset, int c) {
        return FloatVector.fromArray(F, offset < 0 ? zeros : x, offset < 0 ? c : offset + c);
    }

    @Override public void transformOutput(Winograd5x5Conv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        int cout = g.cout, vecEnd = F.loopBound(cout);
        OutputSteps steps = OutputSteps.of(cout, bias, map);
        float[] b = steps.bias(), scale = steps.scale(), shift = steps.shift();
        FloatVector lo = FloatVector.broadcast(F, steps.lo()), hi = FloatVector.broadcast(F, steps.hi());
        int[] at = new int[4];
        float[] s = new float[12 * L]; // s = Aᵀ M: s[r][j] at (6r + j)·L
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, at);
            int mOff = (t - t0) * cout;
            for (int o = 0; o < vecEnd; o += L) {
                int k = mOff + o;
                for (int j = 0; j < 6; j++) { // down each column of M
                    int col = k + j * plane;
                    FloatVector m1 = FloatVector.fromArray(F, m, col + 6 * plane), m2 = FloatVector.fromArray(F, m, col + 12 * plane);
                    FloatVector m3 = FloatVector.fromArray(F, m, col + 18 * plane), m4 = FloatVector.fromArray(F, m, col + 24 * plane);
                    outputFirst(FloatVector.fromArray(F, m, col), m1, m2, m3, m4).intoArray(s, j * L);
                    outputSecond(m1, m2, m3, m4, FloatVector.fromArray(F, m, col + 30 * plane)).intoArray(s, (6 + j) * L);
                }
                FloatVector bo = FloatVector.fromArray(F, b, o), so = FloatVector.fromArray(F, scale, o), to = FloatVector.fromArray(F, shift, o);
                for (int r = 0; r < 2; r++) { // Y = s A along each row of s, then bias and map
                    int row = 6 * r * L;
                    FloatVector s1 = FloatVector.fromArray(F, s, row + L), s2 = FloatVector.fromArray(F, s, row + 2 * L);
                    FloatVector s3 = FloatVector.fromArray(F, s, row + 3 * L), s4 = FloatVector.fromArray(F, s, row + 4 * L);
                    FloatVector y0 = outputFirst(FloatVector.fromArray(F, s, row), s1, s2, s3, s4);
                    FloatVector y1 = outputSecond(s1, s2, s3, s4, FloatVector.fromArray(F, s, row + 5 * L));
                    y0 = y0.add(bo).fma(so, to).max(lo).min(hi);
                    y1 = y1.add(bo).fma(so, to).max(lo).min(hi);
                    if (at[2 * r] >= 0) y0.intoArray(y, at[2 * r] + o);
                    if (at[2 * r + 1] >= 0) y1.intoArray(y, at[2 * r + 1] + o);
                }
            }
            if (vecEnd < cout) Winograd5x5Scalar.outputChannels(m, mOff, plane, vecEnd, cout, bias, map, at, y);
        }
    }

    /** Row 0 of {@code Aᵀ m}: {@code (m0 + (m1 + m2)) + (m3 + m4)}. */
    private static FloatVector outputFirst(FloatVector m0, FloatVector m1, FloatVector m2, FloatVector m3, FloatVector m4) {
        return m0.add(m1.add(m2)).add(m3.add(m4));
    }

    /** Row 1 of {@code Aᵀ m}: {@code ((m1 − m2) + 2(m3 − m4)) + m5}. */
    private static FloatVector outputSecond(FloatVector m1, FloatVector m2, FloatVector m3, FloatVector m4, FloatVector m5) {
        return m1.sub(m2).add(m3.sub(m4).mul(2f)).add(m5);
    }
}
