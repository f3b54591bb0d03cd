package slice.engine.kernels;

import java.util.Arrays;

/** Row-broadcast helpers around a GEMM: the bias of a convolution or dense layer and its gradient. */
public final class MatrixRows {
    private MatrixRows() { }

    /** {@code c[i·n + j] = row[j]} for {@code i ∈ [0, m)}: the bias, before the GEMM accumulates onto it. */
    public static void broadcast(float[] row, int m, int n, float[] c) {
        for (int i = 0; i < m; i++) System.arraycopy(row, 0, c, i * n, n);
    }

    /** {@code sums[j] = Σ_i a[i·n + j]} over {@code i ∈ [0, m)}, in row order: the bias gradient. */
    public static void sumRows(float[] a, int m, int n, float[] sums) {
        Arrays.fill(sums, 0, n, 0f);
        for (int i = 0; i < m; i++) {
            int row = i * n;
            for (int j = 0; j < n; j++) sums[j] += a[row + j];
        }
    }
}
