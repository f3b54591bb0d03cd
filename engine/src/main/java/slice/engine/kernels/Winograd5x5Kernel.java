package slice.engine.kernels;

/**
 * The three transforms of the Winograd convolution F(2×2, 5×5) ({@link Winograd5x5Conv} runs them around the GEMMs),
 * built by Toom–Cook on the interpolation points {@code 0, 1, −1, 2, −2} and ∞ (Lavin's construction; Bᵀ is the one of
 * F(4, 3) on the same points). For one 2×2 output tile of one image, with {@code d} the 6×6 input tile under it (zero
 * outside the image) and {@code g} the 5×5 kernel of input channel {@code c} and output channel {@code o}:
 * <pre>
 *   Bᵀ = | 4   0  −5   0   1   0 |    G = |  1/4    0     0     0     0  |    Aᵀ = | 1  1   1  1   1  0 |
 *        | 0  −4  −4   1   1   0 |        | −1/6  −1/6  −1/6  −1/6  −1/6 |         | 0  1  −1  2  −2  1 |
 *        | 0   4  −4  −1   1   0 |        | −1/6   1/6  −1/6   1/6  −1/6 |
 *        | 0  −2  −1   2   1   0 |        | 1/24  1/12   1/6   1/3   2/3 |
 *        | 0   2  −1  −2   1   0 |        | 1/24 −1/12   1/6  −1/3   2/3 |
 *        | 0   4   0  −5   0   1 |        |   0     0     0     0     1  |
 * </pre>
 * the tile is {@code Y[o] = Aᵀ (Σ_c U[c,o] ⊙ V[c]) A} with {@code U[c,o] = G g Gᵀ} and {@code V[c] = Bᵀ d B} (6×6
 * each) — 36 products per tile and channel pair instead of the direct 100. The 36 positions {@code ξ = 6i + j} are
 * stored apart: {@code U[ξ][c][o]}, {@code V[ξ][t][c]} and {@code M[ξ][t][o]}, so the sum over c is, for each ξ, the
 * GEMM {@code M_ξ [tiles × Cout] = V_ξ [tiles × Cin] · U_ξ [Cin × Cout]}.
 *
 * <p>Order of the operations, shared by the scalar twin and the vector kernel (lanes over channels, no cross-lane step,
 * no fused multiply-add), so that both give bit-identical results; each 2-D transform is a 1-D one along one axis, then
 * the same along the other:
 * <ul>
 *   <li>kernel, on five values {@code g0..g4}: {@code U0 = g0·¼, U5 = g4}; {@code U1,2 = (e ± o)·(−1/6)} with
 *       {@code e = (g0 + g2) + g4}, {@code o = g1 + g3}; {@code U3,4 = (e ± o)·(1/24)} with
 *       {@code e = (g0 + 4g2) + 16g4}, {@code o = 2g1 + 8g3} (−1/6 and 1/24 rounded to float once); first
 *       {@code r = G g} down each column of the kernel, then {@code U = r Gᵀ} along each row of r;</li>
 *   <li>input, on six values {@code d0..d5}: {@code V0 = (4d0 + d4) − 5d2}, {@code V1 = (d3 + d4) − 4(d1 + d2)},
 *       {@code V2 = (d4 − d3) + 4(d1 − d2)}, {@code V3 = (d4 − d2) + 2(d3 − d1)}, {@code V4 = (d4 − d2) − 2(d3 − d1)},
 *       {@code V5 = (4d1 + d5) − 5d3}; first {@code e = d B} along each row of d, then {@code V = Bᵀ e} down each
 *       column of e;</li>
 *   <li>output, on six values {@code m0..m5}: {@code y0 = (m0 + (m1 + m2)) + (m3 + m4)},
 *       {@code y1 = ((m1 − m2) + 2(m3 − m4)) + m5}; first {@code s = Aᵀ M} down each column of M, then
 *       {@code Y = s A} along each row of s; then {@code y = map(Y + b[o], o)} ({@link ColumnMap}; no bias:
 *       {@code map(Y, o)}), stored for the output pixels that exist (a tile over the bottom or right edge of an
 *       odd-sized output is cut).</li>
 * </ul>
 */
public interface Winograd5x5Kernel {
    /** −1/6, the factor of rows 1 and 2 of G, as a float. */
    float G12 = -1f / 6f;
    /** 1/24, the factor of rows 3 and 4 of G, as a float. */
    float G34 = 1f / 24f;

    /**
     * {@code U[ξ][c][o]} for input channels {@code [c0, c1)}, from the Keras kernel {@code [5, 5, Cin, Cout]}
     * ({@code g[ky][kx] = kernel[((5·ky + kx)·Cin + c)·Cout + o]}); {@code u} holds {@code 36·Cin·Cout} floats.
     */
    void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u);

    /**
     * {@code V[ξ][t − t0][c]} of tiles {@code [t0, t1)} ({@link Winograd5x5Conv} numbers them), stored at
     * {@code v[off + ξ·plane + (t − t0)·Cin + c]} ({@code off}: the signature {@link WinogradBlocks} gives every input
     * transform; only a kernel gradient's thread shares start past 0, and this form has none).
     */
    void transformInput(Winograd5x5Conv g, float[] x, int t0, int t1, float[] v, int off, int plane);

    /**
     * Output tiles {@code [t0, t1)} of {@code y} from {@code M[ξ][t − t0][o] = m[ξ·plane + (t − t0)·Cout + o]};
     * {@code bias} and {@code map} may be null (none).
     */
    void transformOutput(Winograd5x5Conv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y);
}
