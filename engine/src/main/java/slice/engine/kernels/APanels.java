package slice.engine.kernels;

/**
 * The A operand of a product that is packed on demand instead of stored: an implicit {@code m × k} matrix whose
 * blocks a {@link Gemm} asks for while it packs. A convolution supplies its {@link Im2col} lowering this way, read
 * straight from the NHWC input (an "implicit GEMM"), so no column matrix is ever written.
 */
@FunctionalInterface
public interface APanels {
    /** Rows per panel: the height of the vector GEMM's micro-tile. */
    int ROWS = 8;

    /**
     * Writes {@code A(i0 + r, p0 + p)} to {@code dst[off + p·ROWS + r]} for {@code r < rows ≤ ROWS} and
     * {@code p < depth}: a panel of rows, k-major, as the micro-kernel reads it. Slots {@code r ≥ rows} are left as
     * they are.
     */
    void pack(int i0, int rows, int p0, int depth, float[] dst, int off);
}
