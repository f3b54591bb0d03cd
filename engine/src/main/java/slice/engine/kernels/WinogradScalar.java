package slice.engine.kernels;

/**
 * Scalar twin of the Winograd F(2×2, 3×3) transforms: each channel on its own, in the order {@link WinogradKernel}
 * states. Its static methods over a channel range are also the vector kernel's tail.
 */
public final class WinogradScalar implements WinogradKernel {
    @Override public void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        kernelChannels(kernel, cin, cout, c0, c1, 0, cout, u);
    }

    @Override public void transformInput(WinogradConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int[] offsets = new int[16];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, offsets);
            inputChannels(x, offsets, 0, g.cin, v, off + (t - t0) * g.cin, plane);
        }
    }

    @Override public void transformOutput(WinogradConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        int[] offsets = new int[4];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, offsets);
            outputChannels(m, (t - t0) * g.cout, plane, 0, g.cout, bias, map, offsets, y);
        }
    }

    @Override public void transformOutputGradient(WinogradConv g, float[] dy, int t0, int t1, float[] z, int off, int plane) {
        int[] offsets = new int[4];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, offsets);
            gradientChannels(dy, offsets, 0, g.cout, z, off + (t - t0) * g.cout, plane);
        }
    }

    @Override public void transformKernelGradient(float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        kernelGradientChannels(du, cin, cout, c0, c1, 0, cout, dw);
    }

    /** {@code U[ξ][c][o] = (G g Gᵀ)[ξ]} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelChannels(float[] kernel, int cin, int cout, int c0, int c1, int o0, int o1, float[] u) {
        int tap = cin * cout; // distance between the taps of one (c, o), and between the positions ξ of U
        float[] r = new float[12];
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                for (int kx = 0; kx < 3; kx++) { // r = G g, column by column
                    float g0 = kernel[k + kx * tap], g1 = kernel[k + (3 + kx) * tap], g2 = kernel[k + (6 + kx) * tap];
                    r[kx] = g0;
                    r[3 + kx] = 0.5f * ((g0 + g1) + g2);
                    r[6 + kx] = 0.5f * ((g0 - g1) + g2);
                    r[9 + kx] = g2;
                }
                for (int i = 0; i < 4; i++) { // U = r Gᵀ, row by row
                    float r0 = r[3 * i], r1 = r[3 * i + 1], r2 = r[3 * i + 2];
                    u[(4 * i) * tap + k] = r0;
                    u[(4 * i + 1) * tap + k] = 0.5f * ((r0 + r1) + r2);
                    u[(4 * i + 2) * tap + k] = 0.5f * ((r0 - r1) + r2);
                    u[(4 * i + 3) * tap + k] = r2;
                }
            }
        }
    }

    /**
     * {@code V[ξ] = (Bᵀ d B)[ξ]} of one tile for channels {@code [c0, c1)}: {@code d[4i + j][c] = x[offsets[4i + j] + c]}
     * (zero where the offset is −1), {@code V[ξ][c]} stored at {@code v[vOff + ξ·plane + c]}.
     */
    public static void inputChannels(float[] x, int[] offsets, int c0, int c1, float[] v, int vOff, int plane) {
        float[] e = new float[16];
        for (int c = c0; c < c1; c++) {
            for (int i = 0; i < 4; i++) { // e = d B, row by row
                float d0 = at(x, offsets[4 * i], c), d1 = at(x, offsets[4 * i + 1], c);
                float d2 = at(x, offsets[4 * i + 2], c), d3 = at(x, offsets[4 * i + 3], c);
                e[4 * i] = d0 - d2;
                e[4 * i + 1] = d1 + d2;
                e[4 * i + 2] = d2 - d1;
                e[4 * i + 3] = d1 - d3;
            }
            for (int j = 0; j < 4; j++) { // V = Bᵀ e, column by column
                float e0 = e[j], e1 = e[4 + j], e2 = e[8 + j], e3 = e[12 + j];
                v[vOff + j * plane + c] = e0 - e2;
                v[vOff + (4 + j) * plane + c] = e1 + e2;
                v[vOff + (8 + j) * plane + c] = e2 - e1;
                v[vOff + (12 + j) * plane + c] = e1 - e3;
            }
        }
    }

    /**
     * {@code Z[ξ] = (A dy Aᵀ)[ξ]} of one tile for output channels {@code [o0, o1)}: {@code dy[2r + s][o] =
     * dy[offsets[2r + s] + o]} (zero where the offset is −1), {@code Z[ξ][o]} stored at {@code z[zOff + ξ·plane + o]}.
     */
    public static void gradientChannels(float[] dy, int[] offsets, int o0, int o1, float[] z, int zOff, int plane) {
        for (int o = o0; o < o1; o++) {
            float d00 = at(dy, offsets[0], o), d01 = at(dy, offsets[1], o), d10 = at(dy, offsets[2], o), d11 = at(dy, offsets[3], o);
            int k = zOff + o;
            gradientRow(d00, d01, z, k, plane); // r = A dy, down each column; then Z = r Aᵀ, row by row
            gradientRow(d00 + d10, d01 + d11, z, k + 4 * plane, plane);
            gradientRow(d00 - d10, d01 - d11, z, k + 8 * plane, plane);
            gradientRow(-d10, -d11, z, k + 12 * plane, plane);
        }
    }

    /** Row {@code (a, a + b, a − b, −b)} of Z from row {@code (a, b)} of r, its first element at {@code z[k]}. */
    private static void gradientRow(float a, float b, float[] z, int k, int plane) {
        z[k] = a;
        z[k + plane] = a + b;
        z[k + 2 * plane] = a - b;
        z[k + 3 * plane] = -b;
    }

    /** {@code dW = Gᵀ dU G} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelGradientChannels(float[] du, int cin, int cout, int c0, int c1, int o0, int o1, float[] dw) {
        int tap = cin * cout;
        float[] q = new float[12];
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                for (int j = 0; j < 4; j++) { // q = Gᵀ dU, column by column
                    float u0 = du[k + j * tap], u1 = du[k + (4 + j) * tap], u2 = du[k + (8 + j) * tap], u3 = du[k + (12 + j) * tap];
                    float h = 0.5f * (u1 + u2);
                    q[j] = u0 + h;
                    q[4 + j] = 0.5f * (u1 - u2);
                    q[8 + j] = h + u3;
                }
                for (int i = 0; i < 3; i++) { // dW = q G, row by row
                    float a = q[4 * i], b = q[4 * i + 1], cc = q[4 * i + 2], d = q[4 * i + 3];
                    float h = 0.5f * (b + cc);
                    dw[k + 3 * i * tap] = a + h;
                    dw[k + (3 * i + 1) * tap] = 0.5f * (b - cc);
                    dw[k + (3 * i + 2) * tap] = h + d;
                }
            }
        }
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
        float[] s = new float[8], tile = new float[4];
        for (int o = o0; o < o1; o++) {
            int k = mOff + o;
            for (int j = 0; j < 4; j++) { // s = Aᵀ M, column by column
                float m0 = m[k + j * plane], m1 = m[k + (4 + j) * plane], m2 = m[k + (8 + j) * plane], m3 = m[k + (12 + j) * plane];
                s[j] = (m0 + m1) + m2;
                s[4 + j] = (m1 - m2) - m3;
            }
            for (int r = 0; r < 2; r++) { // Y = s A, row by row
                tile[2 * r] = (s[4 * r] + s[4 * r + 1]) + s[4 * r + 2];
                tile[2 * r + 1] = (s[4 * r + 1] - s[4 * r + 2]) - s[4 * r + 3];
            }
            for (int p = 0; p < 4; p++) {
                if (offsets[p] < 0) continue;
                float value = bias == null ? tile[p] : tile[p] + bias[o];
                y[offsets[p] + o] = map == null ? value : map.apply(value, o);
            }
        }
    }
}
