package slice.engine.kernels;

/**
 * Scalar twin of the Winograd F(2×2, 5×5) transforms: each channel on its own, in the order {@link Winograd5x5Kernel}
 * states. Its static methods over a channel range are also the vector kernel's tail.
 */
public final class Winograd5x5Scalar implements Winograd5x5Kernel {
    @Override public void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        kernelChannels(kernel, cin, cout, c0, c1, 0, cout, u);
    }

    @Override public void transformInput(Winograd5x5Conv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int[] offsets = new int[36];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, offsets);
            inputChannels(x, offsets, 0, g.cin, v, off + (t - t0) * g.cin, plane);
        }
    }

    @Override public void transformOutput(Winograd5x5Conv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        int[] offsets = new int[4];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, offsets);
            outputChannels(m, (t - t0) * g.cout, plane, 0, g.cout, bias, map, offsets, y);
        }
    }

    /** {@code U[ξ][c][o] = (G g Gᵀ)[ξ]} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelChannels(float[] kernel, int cin, int cout, int c0, int c1, int o0, int o1, float[] u) {
        int tap = cin * cout; // distance between the taps of one (c, o), and between the positions ξ of U
        float[] r = new float[30];
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                for (int kx = 0; kx < 5; kx++) { // r = G g, column by column: r[i][kx] at r[5i + kx]
                    kernelLine(kernel[k + kx * tap], kernel[k + (5 + kx) * tap], kernel[k + (10 + kx) * tap],
                            kernel[k + (15 + kx) * tap], kernel[k + (20 + kx) * tap], r, kx, 5);
                }
                for (int i = 0; i < 6; i++) { // U = r Gᵀ, row by row
                    kernelLine(r[5 * i], r[5 * i + 1], r[5 * i + 2], r[5 * i + 3], r[5 * i + 4], u, 6 * i * tap + k, tap);
                }
            }
        }
    }

    /** {@code G g} of five values, written to {@code out[off + ξ·stride]}. */
    private static void kernelLine(float g0, float g1, float g2, float g3, float g4, float[] out, int off, int stride) {
        out[off] = g0 * 0.25f;
        float e = (g0 + g2) + g4, od = g1 + g3;
        out[off + stride] = (e + od) * G12;
        out[off + 2 * stride] = (e - od) * G12;
        e = (g0 + 4f * g2) + 16f * g4;
        od = 2f * g1 + 8f * g3;
        out[off + 3 * stride] = (e + od) * G34;
        out[off + 4 * stride] = (e - od) * G34;
        out[off + 5 * stride] = g4;
    }

    /**
     * {@code V[ξ] = (Bᵀ d B)[ξ]} of one tile for channels {@code [c0, c1)}: {@code d[6i + j][c] = x[offsets[6i + j] + c]}
     * (zero where the offset is −1), {@code V[ξ][c]} stored at {@code v[vOff + ξ·plane + c]}.
     */
    public static void inputChannels(float[] x, int[] offsets, int c0, int c1, float[] v, int vOff, int plane) {
        float[] e = new float[36];
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < 6; i++) { // e = d B, row by row: e[i][j] at e[6j + i]
                int row = 6 * i;
                inputLine(at(x, offsets[row], c), at(x, offsets[row + 1], c), at(x, offsets[row + 2], c),
                        at(x, offsets[row + 3], c), at(x, offsets[row + 4], c), at(x, offsets[row + 5], c), e, i, 6);
            }
            for (int j = 0; j < 6; j++) { // V = Bᵀ e, column by column
                int col = 6 * j;
                inputLine(e[col], e[col + 1], e[col + 2], e[col + 3], e[col + 4], e[col + 5], v, vOff + j * plane + c, 6 * plane);
            }
        }
    }

    /** {@code Bᵀ d} of six values, written to {@code out[off + ξ·stride]}. */
    private static void inputLine(float d0, float d1, float d2, float d3, float d4, float d5, float[] out, int off, int stride) {
        out[off] = (4f * d0 + d4) - 5f * d2;
        out[off + stride] = (d3 + d4) - 4f * (d1 + d2);
        out[off + 2 * stride] = (d4 - d3) + 4f * (d1 - d2);
        out[off + 3 * stride] = (d4 - d2) + 2f * (d3 - d1);
        out[off + 4 * stride] = (d4 - d2) - 2f * (d3 - d1);
        out[off + 5 * stride] = (4f * d1 + d5) - 5f * d3;
    }

    private static float at(float[] x, int offset, int c) {
        return offset < 0 ? 0f : x[offset + c];
    }

    /**
     * One output tile for output channels {@code [o0, o1)}: {@code M[ξ][o] = m[mOff + ξ·plane + o]},
     * {@code y[offsets[2r + s] + o] = map((Aᵀ M A)[r][s] + bias[o], o)} where the offset is not −1.
     */
    public static void outputChannels(float[] m, int mOff, int plane, int o0, int o1, float[] bias, ColumnMap map,
                                      int[] offsets, float[] y) {
        float[] s = new float[12], tile = new float[4];
        for (int o = o0; o < o1; o++) {
            int k = mOff + o;
            for (int j = 0; j < 6; j++) { // s = Aᵀ M, column by column: s[r][j] at s[6r + j]
                float m0 = m[k + j * plane], m1 = m[k + (6 + j) * plane], m2 = m[k + (12 + j) * plane];
                float m3 = m[k + (18 + j) * plane], m4 = m[k + (24 + j) * plane], m5 = m[k + (30 + j) * plane];
                s[j] = outputFirst(m0, m1, m2, m3, m4);
                s[6 + j] = outputSecond(m1, m2, m3, m4, m5);
            }
            for (int r = 0; r < 2; r++) { // Y = s A, row by row
                int row = 6 * r;
                tile[2 * r] = outputFirst(s[row], s[row + 1], s[row + 2], s[row + 3], s[row + 4]);
                tile[2 * r + 1] = outputSecond(s[row + 1], s[row + 2], s[row + 3], s[row + 4], s[row + 5]);
            }
            for (int p = 0; p < 4; p++) {
                if (offsets[p] < 0) continue;
                float value = bias == null ? tile[p] : tile[p] + bias[o];
                y[offsets[p] + o] = map == null ? value : map.apply(value, o);
            }
        }
    }

    /** Row 0 of {@code Aᵀ m}: {@code (m0 + (m1 + m2)) + (m3 + m4)}. */
    private static float outputFirst(float m0, float m1, float m2, float m3, float m4) {
        return (m0 + (m1 + m2)) + (m3 + m4);
    }

    /** Row 1 of {@code Aᵀ m}: {@code ((m1 − m2) + 2(m3 − m4)) + m5}. */
    private static float outputSecond(float m1, float m2, float m3, float m4, float m5) {
        return ((m1 - m2) + 2f * (m3 - m4)) + m5;
    }
}
