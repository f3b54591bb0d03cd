package slice.engine.kernels;

/**
 * The transforms of the 1-D Winograd convolutions F(2, 7) and F(2, 3) ({@link WinogradLineConv} runs them around
 * the GEMMs), the forward's three and the kernel gradient's two. F(2, 7),
 * built by Toom–Cook on the interpolation points {@code 0, 1, −1, 2, −2, ½, −½} and ∞ (Lavin's construction, row 0
 * of G and Bᵀ negated). For one tile of 2 outputs along the kernel's line, with {@code d} the 8 input pixels under it
 * (zero outside the image) and {@code g} the 7 taps of input channel {@code c} and output channel {@code o}:
 * <pre>
 *   Bᵀ = | 1    0   −21/4   0    21/4   0   −1   0 |    G = |  1      0      0      0      0      0      0    |
 *        | 0    1     1  −17/4  −17/4   1    1   0 |        | −2/9   −2/9   −2/9   −2/9   −2/9   −2/9   −2/9  |
 *        | 0   −1     1   17/4  −17/4  −1    1   0 |        | −2/9    2/9   −2/9    2/9   −2/9    2/9   −2/9  |
 *        | 0   1/2   1/4  −5/2   −5/4    2    1   0 |        | 1/90   1/45   2/45   4/45   8/45  16/45  32/45  |
 *        | 0  −1/2   1/4   5/2   −5/4   −2    1   0 |        | 1/90  −1/45   2/45  −4/45   8/45 −16/45  32/45  |
 *        | 0    2     4   −5/2    −5   1/2    1   0 |        | 32/45 16/45   8/45   4/45   2/45   1/45   1/90  |
 *        | 0   −2     4    5/2    −5  −1/2    1   0 |        | 32/45 −16/45  8/45  −4/45   2/45  −1/45   1/90  |
 *        | 0   −1     0   21/4     0  −21/4   0   1 |        |  0      0      0      0      0      0      1    |
 *
 *   Aᵀ = | 1  1   1  1   1   1    1   0 |
 *        | 0  1  −1  2  −2  1/2 −1/2  1 |
 * </pre>
 * the tile is {@code Y[o] = Aᵀ (Σ_c U[c,o] ⊙ V[c])} with {@code U[c,o] = G g} and {@code V[c] = Bᵀ d} (8 values each)
 * — 8 products per tile and channel pair instead of the direct 14. The 8 positions ξ are stored apart:
 * {@code U[ξ][c][o]}, {@code V[ξ][t][c]}, {@code M[ξ][t][o]}, so the sum over c is, for each ξ, the GEMM
 * {@code M_ξ [tiles × Cout] = V_ξ [tiles × Cin] · U_ξ [Cin × Cout]}.
 *
 * <p>Order of the operations, shared by the scalar twin and the vector kernel (lanes over channels, no cross-lane
 * step, no fused multiply-add), so that both give bit-identical results:
 * <ul>
 *   <li>kernel: {@code U0 = g0, U7 = g6}; {@code U1,2 = (e ± o)·(−2/9)} with {@code e = ((g0 + g2) + g4) + g6},
 *       {@code o = (g1 + g3) + g5}; {@code U3,4 = (e ± o)·(1/90)} with {@code e = ((g0 + 4g2) + 16g4) + 64g6},
 *       {@code o = (2g1 + 8g3) + 32g5}; {@code U5,6 = (e ± o)·(1/90)} with {@code e = ((64g0 + 16g2) + 4g4) + g6},
 *       {@code o = (32g1 + 8g3) + 2g5} (−2/9 and 1/90 rounded to float once);</li>
 *   <li>input: {@code V0 = (d0 − d6) + 5.25(d4 − d2)}, {@code V7 = (d7 − d1) + 5.25(d3 − d5)};
 *       {@code V1,2 = a ± b} with {@code a = (d2 + d6) − 4.25d4}, {@code b = (d1 + d5) − 4.25d3};
 *       {@code V3,4 = a ± b} with {@code a = (0.25d2 + d6) − 1.25d4}, {@code b = (0.5d1 + 2d5) − 2.5d3};
 *       {@code V5,6 = a ± b} with {@code a = (4d2 + d6) − 5d4}, {@code b = (2d1 + 0.5d5) − 2.5d3};</li>
 *   <li>output: {@code y0 = ((M0 + (M1 + M2)) + (M3 + M4)) + (M5 + M6)},
 *       {@code y1 = (((M1 − M2) + 2(M3 − M4)) + 0.5(M5 − M6)) + M7}; then {@code y = map(y + b[o], o)}
 *       ({@link ColumnMap}; no bias: {@code map(y, o)}), stored for the output pixels that exist (a tile over the
 *       edge of an odd-sized output is cut).</li>
 * </ul>
 *
 * <p>F(2, 3) (points 0, 1, −1 and ∞; Lavin's), 4 products per tile and channel pair instead of the direct 6, the 4
 * positions stored as above:
 * <pre>
 *   Bᵀ = | 1   0  −1   0 |    G = |  1    0    0  |    Aᵀ = | 1  1   1   0 |
 *        | 0   1   1   0 |        |  ½    ½    ½  |         | 0  1  −1  −1 |
 *        | 0  −1   1   0 |        |  ½   −½    ½  |
 *        | 0   1   0  −1 |        |  0    0    1  |
 * </pre>
 * in this order (every coefficient exact): kernel {@code U0 = g0, U1,2 = ((g0 + g2) ± g1)·½, U3 = g2}; input
 * {@code V0 = d0 − d2, V1 = d1 + d2, V2 = d2 − d1, V3 = d1 − d3}; output {@code y0 = (M0 + M1) + M2},
 * {@code y1 = (M1 − M2) − M3}, then bias and map as above; the kernel gradient's {@code Z0 = d0, Z1,2 = d0 ± d1,
 * Z3 = −d1} and taps {@code dW0 = dU0 + s·½, dW1 = (dU1 − dU2)·½, dW2 = s·½ + dU3} with {@code s = dU1 + dU2}.
 */
public interface WinogradLineKernel {
    /** −2/9, the factor of rows 1 and 2 of G, as a float. */
    float G12 = -2f / 9f;
    /** 1/90, the factor of rows 3 to 6 of G, as a float. */
    float G36 = 1f / 90f;

    /**
     * {@code U[ξ][c][o]} of F(2, {@code taps}) for input channels {@code [c0, c1)}, from the kernel ({@code g[j] =
     * kernel[(j·Cin + c)·Cout + o]}); {@code u} holds {@code (taps + 1)·Cin·Cout} floats.
     */
    void transformKernel(int taps, float[] kernel, int cin, int cout, int c0, int c1, float[] u);

    /**
     * {@code V[ξ][t − t0][c]} of tiles {@code [t0, t1)} ({@link WinogradLineConv} numbers them), stored at
     * {@code v[off + ξ·plane + (t − t0)·Cin + c]}.
     */
    void transformInput(WinogradLineConv g, float[] x, int t0, int t1, float[] v, int off, int plane);

    /**
     * Output tiles {@code [t0, t1)} of {@code y} from {@code M[ξ][t − t0][o] = m[ξ·plane + (t − t0)·Cout + o]};
     * {@code bias} and {@code map} may be null (none).
     */
    void transformOutput(WinogradLineConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y);

    /**
     * For the kernel gradient ({@link WinogradLineConv#kernelGradient}): {@code Z[ξ][t − t0][o] = (A dy)[ξ]} of output
     * tiles {@code [t0, t1)} of {@code dy} (its 2 outputs d0, d1, zero past the edge), stored at
     * {@code z[off + ξ·plane + (t − t0)·Cout + o]}: F(2, 7) {@code Z0 = d0, Z1,2 = d0 ± d1, Z3,4 = d0 ± 2d1,
     * Z5,6 = d0 ± 0.5d1, Z7 = d1}; F(2, 3) {@code Z0 = d0, Z1,2 = d0 ± d1, Z3 = −d1}.
     */
    void transformOutputGradient(WinogradLineConv g, float[] dy, int t0, int t1, float[] z, int off, int plane);

    /**
     * For the kernel gradient of F(2, {@code taps}): {@code dW = Gᵀ dU} for input channels {@code [c0, c1)}, from
     * {@code dU[ξ][c][o] = du[ξ·Cin·Cout + c·Cout + o]} into the layout of {@link #transformKernel}. F(2, 7): tap j is
     * {@code (G12·s12 + (2ʲ·s34 + 2⁶⁻ʲ·s56)·G36)}, with {@code s12 = dU1 ± dU2}, {@code s34 = dU3 ± dU4},
     * {@code s56 = dU5 ± dU6} (+ for even j, − for odd), then {@code dU0 + that} for j = 0 and {@code that + dU7}
     * for j = 6. F(2, 3): as the class comment states.
     */
    void transformKernelGradient(int taps, float[] du, int cin, int cout, int c0, int c1, float[] dw);
}
