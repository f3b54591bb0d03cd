package slice.engine.kernels;

import static slice.engine.kernels.WinogradLineKernel.G12;
import static slice.engine.kernels.WinogradLineKernel.G36;

/**
 * Scalar twin of the Winograd F(2, 7) and F(2, 3) transforms: each channel on its own, in the order
 * {@link WinogradLineKernel} states. Its static methods over a channel range are also the vector kernel's tail.
 */
public final class WinogradLineScalar implements WinogradLineKernel {
    @Override public void transformKernel(int taps, float[] kernel, int cin, int cout, int c0, int c1, float[] u) {
        if (taps == 3) kernelChannels3(kernel, cin, cout, c0, c1, 0, cout, u);
        else kernelChannels(kernel, cin, cout, c0, c1, 0, cout, u);
    }

    @Override public void transformInput(WinogradLineConv g, float[] x, int t0, int t1, float[] v, int off, int plane) {
        int[] offsets = new int[g.points()];
        for (int t = t0; t < t1; t++) {
            g.inputOffsets(t, offsets);
            if (g.taps == 3) inputChannels3(x, offsets, 0, g.cin, v, off + (t - t0) * g.cin, plane);
            else inputChannels(x, offsets, 0, g.cin, v, off + (t - t0) * g.cin, plane);
        }
    }

    @Override public void transformOutput(WinogradLineConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y) {
        int[] offsets = new int[2];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, offsets);
            if (g.taps == 3) outputChannels3(m, (t - t0) * g.cout, plane, 0, g.cout, bias, map, offsets, y);
            else outputChannels(m, (t - t0) * g.cout, plane, 0, g.cout, bias, map, offsets, y);
        }
    }

    /** F(2, 3): {@code U[ξ][c][o] = (G g)[ξ]} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelChannels3(float[] kernel, int cin, int cout, int c0, int c1, int o0, int o1, float[] u) {
        int tap = cin * cout;
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                float g0 = kernel[k], g1 = kernel[k + tap], g2 = kernel[k + 2 * tap], e = g0 + g2;
                u[k] = g0;
                u[tap + k] = (e + g1) * 0.5f;
                u[2 * tap + k] = (e - g1) * 0.5f;
                u[3 * tap + k] = g2;
            }
        }
    }

    /**
     * F(2, 3): {@code V[ξ] = (Bᵀ d)[ξ]} of one tile for channels {@code [c0, c1)}: {@code d[j][c] = x[offsets[j] + c]}
     * (zero where the offset is −1), {@code V[ξ][c]} stored at {@code v[vOff + ξ·plane + c]}.
     */
    public static void inputChannels3(float[] x, int[] offsets, int c0, int c1, float[] v, int vOff, int plane) {
        for (int c = c0; c < c1; c++) {
            float d0 = at(x, offsets[0], c), d1 = at(x, offsets[1], c), d2 = at(x, offsets[2], c), d3 = at(x, offsets[3], c);
            int o = vOff + c;
            v[o] = d0 - d2;
            v[o + plane] = d1 + d2;
            v[o + 2 * plane] = d2 - d1;
            v[o + 3 * plane] = d1 - d3;
        }
    }

    /**
     * F(2, 3): one output tile for output channels {@code [o0, o1)}: {@code M[ξ][o] = m[mOff + ξ·plane + o]},
     * {@code y[offsets[s] + o] = map((Aᵀ M)[s] + bias[o], o)} where the offset is not −1.
     */
    public static void outputChannels3(float[] m, int mOff, int plane, int o0, int o1, float[] bias, ColumnMap map,
                                       int[] offsets, float[] y) {
        for (int o = o0; o < o1; o++) {
            int k = mOff + o;
            float m0 = m[k], m1 = m[k + plane], m2 = m[k + 2 * plane], m3 = m[k + 3 * plane];
            store((m0 + m1) + m2, o, offsets[0], bias, map, y);
            store((m1 - m2) - m3, o, offsets[1], bias, map, y);
        }
    }

    @Override public void transformOutputGradient(WinogradLineConv g, float[] dy, int t0, int t1, float[] z, int off, int plane) {
        int[] offsets = new int[2];
        for (int t = t0; t < t1; t++) {
            g.outputOffsets(t, offsets);
            if (g.taps == 3) gradientChannels3(dy, offsets, 0, g.cout, z, off + (t - t0) * g.cout, plane);
            else gradientChannels(dy, offsets, 0, g.cout, z, off + (t - t0) * g.cout, plane);
        }
    }

    @Override public void transformKernelGradient(int taps, float[] du, int cin, int cout, int c0, int c1, float[] dw) {
        if (taps == 3) kernelGradientChannels3(du, cin, cout, c0, c1, 0, cout, dw);
        else kernelGradientChannels(du, cin, cout, c0, c1, 0, cout, dw);
    }

    /**
     * F(2, 3): {@code Z[ξ] = (A dy)[ξ]} of one tile for output channels {@code [o0, o1)}: {@code d_s = dy[offsets[s] + o]}
     * (zero where the offset is −1), {@code Z[ξ][o]} stored at {@code z[zOff + ξ·plane + o]}.
     */
    public static void gradientChannels3(float[] dy, int[] offsets, int o0, int o1, float[] z, int zOff, int plane) {
        for (int o = o0; o < o1; o++) {
            float d0 = at(dy, offsets[0], o), d1 = at(dy, offsets[1], o);
            int k = zOff + o;
            z[k] = d0;
            z[k + plane] = d0 + d1;
            z[k + 2 * plane] = d0 - d1;
            z[k + 3 * plane] = -d1;
        }
    }

    /** F(2, 3): {@code dW = Gᵀ dU} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelGradientChannels3(float[] du, int cin, int cout, int c0, int c1, int o0, int o1, float[] dw) {
        int tap = cin * cout;
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                float u1 = du[k + tap], u2 = du[k + 2 * tap], s = u1 + u2;
                dw[k] = du[k] + s * 0.5f;
                dw[k + tap] = (u1 - u2) * 0.5f;
                dw[k + 2 * tap] = s * 0.5f + du[k + 3 * tap];
            }
        }
    }

    /**
     * F(2, 7): {@code Z[ξ] = (A dy)[ξ]} of one tile for output channels {@code [o0, o1)}: {@code d_s = dy[offsets[s] + o]} (zero
     * where the offset is −1), {@code Z[ξ][o]} stored at {@code z[zOff + ξ·plane + o]}.
     */
    public static void gradientChannels(float[] dy, int[] offsets, int o0, int o1, float[] z, int zOff, int plane) {
        for (int o = o0; o < o1; o++) {
            float d0 = at(dy, offsets[0], o), d1 = at(dy, offsets[1], o);
            int k = zOff + o;
            z[k] = d0;
            z[k + plane] = d0 + d1;
            z[k + 2 * plane] = d0 - d1;
            z[k + 3 * plane] = d0 + 2f * d1;
            z[k + 4 * plane] = d0 - 2f * d1;
            z[k + 5 * plane] = d0 + 0.5f * d1;
            z[k + 6 * plane] = d0 - 0.5f * d1;
            z[k + 7 * plane] = d1;
        }
    }

    /** F(2, 7): {@code dW = Gᵀ dU} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelGradientChannels(float[] du, int cin, int cout, int c0, int c1, int o0, int o1, float[] dw) {
        int tap = cin * cout;
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                float u1 = du[k + tap], u2 = du[k + 2 * tap], u3 = du[k + 3 * tap], u4 = du[k + 4 * tap];
                float u5 = du[k + 5 * tap], u6 = du[k + 6 * tap];
                float p12 = u1 + u2, m12 = u1 - u2, p34 = u3 + u4, m34 = u3 - u4, p56 = u5 + u6, m56 = u5 - u6;
                for (int j = 0; j < 7; j++) {
                    boolean even = j % 2 == 0;
                    float t = G12 * (even ? p12 : m12) + ((1 << j) * (even ? p34 : m34) + (1 << (6 - j)) * (even ? p56 : m56)) * G36;
                    dw[k + j * tap] = j == 0 ? du[k] + t : j == 6 ? t + du[k + 7 * tap] : t;
                }
            }
        }
    }

    /** {@code U[ξ][c][o] = (G g)[ξ]} for input channels {@code [c0, c1)} and output channels {@code [o0, o1)}. */
    public static void kernelChannels(float[] kernel, int cin, int cout, int c0, int c1, int o0, int o1, float[] u) {
        int tap = cin * cout; // distance between the taps of one (c, o), and between the positions ξ of U
        for (int c = c0; c < c1; c++) {
            for (int o = o0; o < o1; o++) {
                int k = c * cout + o;
                float g0 = kernel[k], g1 = kernel[k + tap], g2 = kernel[k + 2 * tap], g3 = kernel[k + 3 * tap];
                float g4 = kernel[k + 4 * tap], g5 = kernel[k + 5 * tap], g6 = kernel[k + 6 * tap];
                u[k] = g0;
                float e = ((g0 + g2) + g4) + g6, od = (g1 + g3) + g5;
                u[tap + k] = (e + od) * G12;
                u[2 * tap + k] = (e - od) * G12;
                e = ((g0 + 4f * g2) + 16f * g4) + 64f * g6;
                od = (2f * g1 + 8f * g3) + 32f * g5;
                u[3 * tap + k] = (e + od) * G36;
                u[4 * tap + k] = (e - od) * G36;
                e = ((64f * g0 + 16f * g2) + 4f * g4) + g6;
                od = (32f * g1 + 8f * g3) + 2f * g5;
                u[5 * tap + k] = (e + od) * G36;
                u[6 * tap + k] = (e - od) * G36;
                u[7 * tap + k] = g6;
            }
        }
    }

    /**
     * {@code V[ξ] = (Bᵀ d)[ξ]} of one tile for channels {@code [c0, c1)}: {@code d[j][c] = x[offsets[j] + c]} (zero
     * where the offset is −1), {@code V[ξ][c]} stored at {@code v[vOff + ξ·plane + c]}.
     */
    public static void inputChannels(float[] x, int[] offsets, int c0, int c1, float[] v, int vOff, int plane) {
        for (int c = c0; c < c1; c++) {
            float d0 = at(x, offsets[0], c), d1 = at(x, offsets[1], c), d2 = at(x, offsets[2], c), d3 = at(x, offsets[3], c);
            float d4 = at(x, offsets[4], c), d5 = at(x, offsets[5], c), d6 = at(x, offsets[6], c), d7 = at(x, offsets[7], c);
            int o = vOff + c;
            v[o] = (d0 - d6) + 5.25f * (d4 - d2);
            float a = (d2 + d6) - 4.25f * d4, b = (d1 + d5) - 4.25f * d3;
            v[o + plane] = a + b;
            v[o + 2 * plane] = a - b;
            a = (0.25f * d2 + d6) - 1.25f * d4;
            b = (0.5f * d1 + 2f * d5) - 2.5f * d3;
            v[o + 3 * plane] = a + b;
            v[o + 4 * plane] = a - b;
            a = (4f * d2 + d6) - 5f * d4;
            b = (2f * d1 + 0.5f * d5) - 2.5f * d3;
            v[o + 5 * plane] = a + b;
            v[o + 6 * plane] = a - b;
            v[o + 7 * plane] = (d7 - d1) + 5.25f * (d3 - d5);
        }
    }

    private static float at(float[] x, int offset, int c) {
        return offset < 0 ? 0f : x[offset + c];
    }

    /**
     * One output tile for output channels {@code [o0, o1)}: {@code M[ξ][o] = m[mOff + ξ·plane + o]},
     * {@code y[offsets[s] + o] = map((Aᵀ M)[s] + bias[o], o)} where the offset is not −1.
     */
    public static void outputChannels(float[] m, int mOff, int plane, int o0, int o1, float[] bias, ColumnMap map,
                                      int[] offsets, float[] y) {
        for (int o = o0; o < o1; o++) {
            int k = mOff + o;
            float m0 = m[k], m1 = m[k + plane], m2 = m[k + 2 * plane], m3 = m[k + 3 * plane];
            float m4 = m[k + 4 * plane], m5 = m[k + 5 * plane], m6 = m[k + 6 * plane], m7 = m[k + 7 * plane];
            float y0 = ((m0 + (m1 + m2)) + (m3 + m4)) + (m5 + m6);
            float y1 = (((m1 - m2) + 2f * (m3 - m4)) + 0.5f * (m5 - m6)) + m7;
            store(y0, o, offsets[0], bias, map, y);
            store(y1, o, offsets[1], bias, map, y);
        }
    }

    private static void store(float tile, int o, int offset, float[] bias, ColumnMap map, float[] y) {
        if (offset < 0) return;
        float value = bias == null ? tile : tile + bias[o];
        y[offset + o] = map == null ? value : map.apply(value, o);
    }
}
