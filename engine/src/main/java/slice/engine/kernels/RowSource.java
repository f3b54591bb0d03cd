package slice.engine.kernels;

import slice.engine.Parallel;

/**
 * A matrix of {@link #rows} × {@link #width} floats that is computed when it is read, a band of rows at a time: the
 * gradient a batch norm hands to the convolution before it ({@link slice.engine.Node#deferInGrad}), which that
 * convolution's backward may consume chunk by chunk while each chunk is in cache instead of reading the whole matrix
 * back from memory ({@link Gemm#pointwiseBackward}).
 */
public interface RowSource {
    int rows();

    int width();

    /**
     * Writes rows {@code [from, to)} into {@code dst}, row {@code from} starting at {@code dst[offset]}, the rows
     * dense ({@link #width} floats apart). Calls for disjoint rows may run at once on different threads.
     */
    void fill(int from, int to, float[] dst, int offset);

    /**
     * Writes every row into {@code dst} from index 0, in parallel, each thread's share in bands of about 16 K floats
     * from its end back to its start: the pass that ran over the same rows before (a batch norm's sums) walked
     * forwards, so the rows it read last, still in the last-level cache, are read first.
     */
    default void fillAll(float[] dst) {
        int w = width();
        Parallel.forRangeBackwards(rows(), Math.max(1, (1 << 14) / w), (from, to) -> fill(from, to, dst, from * w));
    }
}
