package slice.engine.kernels;

/**
 * General matrix multiply, the engine's workhorse: {@code C = op(A)·op(B)}, or {@code C += op(A)·op(B)} when
 * {@code accumulate} is set (input gradients are added, see {@link slice.engine.Layer}).
 *
 * <p>Shapes and layouts (all row-major, with a leading dimension {@code ld} = distance between rows):
 * <ul>
 *   <li>{@code op(A)} is {@code m×k}: {@code A(i,p) = a[aOff + i·lda + p]}, or, when {@code transA}, A is stored
 *       {@code k×m} and {@code A(i,p) = a[aOff + p·lda + i]};</li>
 *   <li>{@code op(B)} is {@code k×n}: {@code B(p,j) = b[bOff + p·ldb + j]}, or, when {@code transB}, B is stored
 *       {@code n×k} and {@code B(p,j) = b[bOff + j·ldb + p]};</li>
 *   <li>{@code C} is {@code m×n}: {@code C(i,j) = c[cOff + i·ldc + j]}.</li>
 * </ul>
 * The convolutions use three of the four products: {@code Y = X·W} (NN), {@code dX += dY·Wᵀ} (NT) and
 * {@code dW = Xᵀ·dY} (TN).
 *
 * <p>Every implementation computes each element as one fused multiply-add chain in increasing {@code p}:
 * {@code s = accumulate ? C(i,j) : 0; for p in 0..k-1: s = fma(A(i,p), B(p,j), s); C(i,j) = s}.
 * There is no cross-lane sum, so the scalar twin, the vector kernel at any width, and any thread count all give
 * bit-identical results.
 *
 * <p>A {@link ColumnMap} (null: none) is then applied to each finished element, {@code C(i,j) = map(s, j)}: a
 * folded batch norm and ReLU done while the tile is still in registers, instead of a second pass over C.
 */
public interface Gemm {
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb,
              float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map);

    /** The product without a map. */
    default void gemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null);
    }

    /**
     * The two products of a 1×1 convolution's backward pass, which share {@code dY}:
     * {@code dW = Xᵀ·dY} into {@code dw [cin × cout]} (when {@code dw} is not null) and {@code dX (+)= dY·Wᵀ} into
     * {@code dx [rows × cin]} (when {@code dx} is not null; added when {@code addDx}), for {@code x [rows × cin]},
     * {@code dy [rows × cout]} and {@code w [cin × cout]}, all dense from index 0. Each element is the fma chain the
     * two separate products give it, so the pair gives the same bits as those two calls; an implementation may compute
     * both in one pass over {@code dY}, which is the larger operand of both when the channel counts are small.
     * With {@code dyRows} (else null), dY is computed when read ({@link RowSource}; rows × cout): into {@code dy},
     * or, chunk by chunk, into a buffer that stays in cache while both products read the chunk (then {@code dy} is
     * not written); the products are the same.
     */
    default void pointwiseBackward(int rows, int cin, int cout, float[] x, float[] dy, RowSource dyRows, float[] w,
                                   float[] dw, float[] dx, boolean addDx) {
        if (dyRows != null) dyRows.fillAll(dy);
        if (dw != null) gemm(true, false, cin, cout, rows, x, 0, cin, dy, 0, cout, dw, 0, cout, false);
        if (dx != null) gemm(false, true, rows, cin, cout, dy, 0, cout, w, 0, cout, dx, 0, cin, addDx);
    }

    /**
     * The same product with {@code op(A)} supplied by a packer and B not transposed: {@code C (+)= A·B}, then the map,
     * with {@code A(i,p)} as {@code a} packs it. Each element is the same fma chain in increasing {@code p} as above,
     * so a product gives the same bits whether A is stored or packed.
     */
    void gemm(int m, int n, int k, APanels a, float[] b, int bOff, int ldb,
              float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map);
}
