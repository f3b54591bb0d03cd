package slice.engine.kernels;

/**
 * The three transforms of the Winograd convolution F(2×2, 3×3) ({@link WinogradConv} runs them around the GEMMs), and
 * the two more of its kernel gradient ({@link WinogradConv#kernelGradient}).
 * For one 2×2 output tile of one image, with {@code d} the 4×4 input tile under it (zero outside the image), {@code g}
 * the 3×3 kernel of input channel {@code c} and output channel {@code o}, and
 * <pre>
 *   Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
 *        | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
 *        | 0 −1  1  0 |         | ½   −½    ½  |
 *        | 0  1  0 −1 |         | 0    0    1  |
 * </pre>
 * the tile is {@code Y[o] = Aᵀ (Σ_c U[c,o] ⊙ V[c]) A} with {@code U[c,o] = G g Gᵀ} and {@code V[c] = Bᵀ d B}
 * (4×4 each, {@code ⊙} element-wise) — 16 products per tile and channel pair instead of the direct 36.
 * The 16 positions {@code ξ = 4i + j} are stored apart: {@code U[ξ][c][o]}, {@code V[ξ][t][c]} and
 * {@code M[ξ][t][o]} (t a tile of the block), so the sum over c is, for each ξ, the GEMM
 * {@code M_ξ [tiles × Cout] = V_ξ [tiles × Cin] · U_ξ [Cin × Cout]}.
 *
 * <p>Order of the operations, shared by the scalar twin and the vector kernel (lanes over channels, no cross-lane
 * step), so that both give bit-identical results:
 * <ul>
 *   <li>kernel: rows first, {@code r = G g} column by column as {@code r0 = g0, r1 = ½((g0 + g1) + g2),
 *       r2 = ½((g0 − g1) + g2), r3 = g2}, then the same along each row of r;</li>
 *   <li>input: each row of d first, {@code e = d B} as {@code e0 = d0 − d2, e1 = d1 + d2, e2 = d2 − d1,
 *       e3 = d1 − d3}, then the same down each column of e;</li>
 *   <li>output: down each column of M first, {@code s0 = (m0 + m1) + m2, s1 = (m1 − m2) − m3}, then the same along
 *       each row of s; then {@code y = map(s + b[o], o)} ({@link ColumnMap}; no bias: {@code map(s, o)}), stored for
 *       the output pixels that exist (a tile over the bottom or right edge of an odd-sized output is cut).</li>
 * </ul>
 */
public interface WinogradKernel {
    /**
     * {@code U[ξ][c][o]} for input channels {@code [c0, c1)}, from the Keras kernel {@code [3, 3, Cin, Cout]}
     * ({@code g[ky][kx] = kernel[((3·ky + kx)·Cin + c)·Cout + o]}); {@code u} holds {@code 16·Cin·Cout} floats.
     */
    void transformKernel(float[] kernel, int cin, int cout, int c0, int c1, float[] u);

    /**
     * {@code V[ξ][t − t0][c]} of tiles {@code [t0, t1)} ({@link WinogradConv} numbers them), stored at
     * {@code v[off + ξ·plane + (t − t0)·Cin + c]}.
     */
    void transformInput(WinogradConv g, float[] x, int t0, int t1, float[] v, int off, int plane);

    /**
     * Output tiles {@code [t0, t1)} of {@code y} from {@code M[ξ][t − t0][o] = m[ξ·plane + (t − t0)·Cout + o]};
     * {@code bias} and {@code map} may be null (none).
     */
    void transformOutput(WinogradConv g, float[] m, int t0, int t1, int plane, float[] bias, ColumnMap map, float[] y);

    /**
     * For the kernel gradient ({@link WinogradConv#kernelGradient}): {@code Z[ξ][t − t0][o] = (A dy Aᵀ)[ξ]} of output
     * tiles {@code [t0, t1)} of {@code dy} (the 2×2 output gradient under the tile, zero past the edge), stored at
     * {@code z[off + ξ·plane + (t − t0)·Cout + o]}; in order, down each column first, {@code r0 = d0, r1 = d0 + d1,
     * r2 = d0 − d1, r3 = −d1} (d0, d1 the rows of dy), then along each row {@code (a, b)} of r:
     * {@code (a, a + b, a − b, −b)}.
     */
    void transformOutputGradient(WinogradConv g, float[] dy, int t0, int t1, float[] z, int off, int plane);

    /**
     * For the kernel gradient: {@code dW = Gᵀ dU G} for input channels {@code [c0, c1)}, from
     * {@code dU[ξ][c][o] = du[ξ·Cin·Cout + c·Cout + o]} into the Keras layout of {@link #transformKernel}; in order,
     * down each column {@code (u0, u1, u2, u3)} first, with {@code h = ½(u1 + u2)}: {@code (u0 + h, ½(u1 − u2),
     * h + u3)}, then the same along each row of the result.
     */
    void transformKernelGradient(float[] du, int cin, int cout, int c0, int c1, float[] dw);
}
