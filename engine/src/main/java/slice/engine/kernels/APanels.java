package slice.engine.kernels;

/**
 * The A operand of a product that is packed on demand instead of stored: an implicit {@code m × k} matrix whose
 * blocks a {@link Gemm} asks for while it packs. A convolution supplies its {@link Im2col} lowering this way, read
 * straight from the NHWC input (an "implicit GEMM"), so its forward writes no column matrix. A packer may also say
 * where a panel can be read in place ({@link #run}), which saves the packing when few column panels share it.
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

    /** The array {@link #run} points into; {@code null} (the default) when A is only ever packed. */
    default float[] source() {
        return null;
    }

    /**
     * For the full panel of rows {@code [i0, i0 + ROWS)}: the length {@code len ≤ p1 − p0} of the run of steps from
     * {@code p0} over which every row of the panel lies in {@link #source} in place,
     * {@code A(i0 + r, p0 + j) = source()[at[r] + j]} for {@code j < len}, with {@code at} filled; or 0 when the panel
     * must be packed. For a given panel the answer is 0 for every {@code p0} or for none.
     */
    default int run(int i0, int p0, int p1, int[] at) {
        return 0;
    }
}
