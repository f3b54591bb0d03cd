package slice.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import slice.engine.Parallel;
import slice.engine.Simd;

/** The vector GEMM against its scalar twin (bit for bit) and a double-precision reference, on shapes that hit every tail. */
class GemmTest {
    // Rows around MR = 8; columns around L and 2L at 128-bit (4, 8) and 512-bit (16, 32), including exact L and 3L panels.
    private static final int[] ROWS = {1, 5, 17, 70}, COLS = {1, 3, 5, 12, 17, 33, 48}, DEPTHS = {1, 3, 17, 33};
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void vectorKernelIsSelected() {
        if (Simd.ENABLED) assertNotSame(ScalarGemm.class, Kernels.GEMM.getClass());
    }

    @Test
    void vectorMatchesScalarAndReferenceOnOddShapes() {
        Random rnd = new Random(7);
        Gemm scalar = new ScalarGemm();
        for (int m : ROWS) {
            for (int n : COLS) {
                for (int k : DEPTHS) {
                    for (int t = 0; t < 4; t++) {
                        boolean ta = (t & 1) != 0, tb = (t & 2) != 0, acc = rnd.nextBoolean();
                        check(rnd, scalar, m, n, k, ta, tb, acc);
                    }
                }
            }
        }
    }

    @Test
    void largeShapesCrossEveryBlockBoundary() {
        Random rnd = new Random(11);
        Gemm scalar = new ScalarGemm();
        // k beyond KC = 256, n beyond NC = 512, m beyond MC = 192: several blocks of each.
        check(rnd, scalar, 200, 40, 1100, false, false, true);
        check(rnd, scalar, 37, 600, 300, false, true, false);
        check(rnd, scalar, 45, 29, 2000, true, false, false);
        check(rnd, scalar, 1000, 40, 9, false, false, false);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(3);
        int[][] shapes = {{700, 96, 64, 0, 0}, {500, 64, 96, 0, 1}, {96, 64, 900, 1, 0}, {16, 300, 500, 1, 0}, {300, 24, 200, 0, 0}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            boolean ta = s[3] == 1, tb = s[4] == 1;
            float[] a = random(rnd, m * k), b = random(rnd, k * n), c0 = random(rnd, m * n);
            float[][] results = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                float[] c = c0.clone();
                Kernels.GEMM.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, true);
                results[threads - 1] = c;
            }
            assertArrayEquals(results[0], results[1], "m=" + m + " n=" + n + " k=" + k);
        }
    }

    /**
     * Runs C (+)= op(A)·op(B) on a sub-matrix with padded leading dimensions and offsets; checks the vector result
     * equals the scalar twin bit for bit, is close to a double reference, and leaves the padding untouched.
     */
    private static void check(Random rnd, Gemm scalar, int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3, aOff = 5, bOff = 2, cOff = 4;
        float[] a = random(rnd, aOff + (ta ? k : m) * lda), b = random(rnd, bOff + (tb ? n : k) * ldb);
        float[] c0 = random(rnd, cOff + m * ldc);
        float[] cv = c0.clone(), cs = c0.clone();
        Kernels.GEMM.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, cv, cOff, ldc, acc);
        scalar.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, cs, cOff, ldc, acc);
        String what = (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " acc=" + acc;
        assertArrayEquals(cs, cv, what);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = acc ? c0[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    double aip = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bpj = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    ref += aip * bpj;
                }
                assertEquals(ref, cv[cOff + i * ldc + j], 1e-5 * (k + 1), what + " at " + i + "," + j);
            }
            for (int j = n; j < ldc && cOff + i * ldc + j < cv.length; j++) {
                assertEquals(c0[cOff + i * ldc + j], cv[cOff + i * ldc + j], what + ": wrote outside C at row " + i);
            }
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }
}
