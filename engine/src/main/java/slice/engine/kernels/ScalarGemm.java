package slice.engine.kernels;

import java.util.Arrays;
import slice.engine.Parallel;

/**
 * The readable twin of {@code slice.engine.simd.VectorGemm}, and the fallback when the Vector API is absent.
 *
 * <p>Row {@code i} of C is built as {@code C(i,:) = Σ_p A(i,p)·B(p,:)}: the loop order i, p, j streams a row of B per
 * step of p, and keeps each element's fused multiply-add chain in increasing {@code p}, exactly as {@link Gemm}
 * specifies; the {@link ColumnMap}, if any, then maps the finished row. Rows of C are split across threads.
 */
public final class ScalarGemm implements Gemm {
    /** Multiply-adds below which the call stays on the calling thread. */
    private static final long PARALLEL_WORK = 1 << 18;

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map) {
        if (m <= 0 || n <= 0) return;
        long rowWork = Math.max(1L, (long) n * k);
        int minRows = (int) Math.min(m, Math.max(1, PARALLEL_WORK / rowWork));
        Parallel.forRange(m, minRows, (from, to) -> {
            for (int i = from; i < to; i++) {
                int ci = cOff + i * ldc;
                if (!accumulate) Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (transB) {
                        for (int j = 0; j < n; j++) c[ci + j] = Math.fma(aip, b[bOff + j * ldb + p], c[ci + j]);
                    } else {
                        int bp = bOff + p * ldb;
                        for (int j = 0; j < n; j++) c[ci + j] = Math.fma(aip, b[bp + j], c[ci + j]);
                    }
                }
                if (map != null) for (int j = 0; j < n; j++) c[ci + j] = map.apply(c[ci + j], j);
            }
        });
    }

    /** Materialises A from its panels, then runs the stored-A product. */
    @Override
    public void gemm(int m, int n, int k, APanels a, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, ColumnMap map) {
        if (m <= 0 || n <= 0) return;
        float[] stored = new float[m * k], panel = new float[APanels.ROWS * k];
        for (int i0 = 0; i0 < m; i0 += APanels.ROWS) {
            int rows = Math.min(APanels.ROWS, m - i0);
            a.pack(i0, rows, 0, k, panel, 0);
            for (int r = 0; r < rows; r++) {
                for (int p = 0; p < k; p++) stored[(i0 + r) * k + p] = panel[p * APanels.ROWS + r];
            }
        }
        gemm(false, false, m, n, k, stored, 0, k, b, bOff, ldb, c, cOff, ldc, accumulate, map);
    }
}
