package slice.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import slice.engine.Parallel;
import slice.engine.RestoresThreads;
import slice.engine.Simd;

/**
 * The vector GEMM against its scalar twin (bit for bit) and a double-precision reference, on shapes that hit every
 * tail, with and without a {@link ColumnMap}; a mapped product equals the plain product followed by the map.
 */
@ExtendWith(RestoresThreads.class)
class GemmTest {
    // Rows around MR = 8; columns around L and 2L at 128-bit (4, 8) and 512-bit (16, 32), including exact L and 3L panels
    // and panels of L + L/2 (6, 14 = 8 + 6; 24, 56 = 32 + 24); k = 16, a 1×1 convolution from 16 channels. Wide 3L
    // panels: 12, 24, 96 (whole ones at 128 bits), 48, 96 (at 512), cut ones (17, 33 at 128; 33 at 512), and 100
    // (3L panels and then 2L ones rather than a lone L at 128 bits; 3L, 2L and a cut 2L at 512).
    private static final int[] ROWS = {1, 5, 17, 70}, COLS = {1, 3, 5, 6, 12, 14, 17, 24, 33, 48, 56, 96, 100};
    private static final int[] DEPTHS = {1, 3, 16, 17, 33};
    // Every row count below and just above MR = 8 (the few-rows path, and its tail of 1–3 rows after a full panel),
    // column tails at L = 4 and L = 16, k beyond KC.
    private static final int[] FEW_ROWS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, MAP_COLS = {1, 3, 5, 14, 17, 24, 33, 100};
    private static final int[] MAP_DEPTHS = {1, 7, 300};
    private static final Gemm SCALAR = new ScalarGemm();
    @Test
    void vectorKernelIsSelected() {
        if (Simd.ENABLED) assertNotSame(ScalarGemm.class, Kernels.GEMM.getClass());
    }

    @Test
    void vectorMatchesScalarAndReferenceOnOddShapes() {
        Random rnd = new Random(7);
        forEachShape(ROWS, COLS, DEPTHS, (m, n, k) -> {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, acc = rnd.nextBoolean();
                check(rnd, m, n, k, ta, tb, acc, null);
            }
        });
    }

    @Test
    void fewRowsAndColumnMapsMatchScalarOnOddShapes() {
        Random rnd = new Random(5);
        forEachShape(FEW_ROWS, MAP_COLS, MAP_DEPTHS, (m, n, k) -> {
            for (int t = 0; t < 8; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0, acc = (t & 4) != 0;
                for (int kind = 0; kind < 4; kind++) check(rnd, m, n, k, ta, tb, acc, map(rnd, n, kind));
            }
        });
    }

    /** The checks of one product shape, C[m × n] = A[m × k]·B[k × n]. */
    private interface ShapeCheck {
        void run(int m, int n, int k);
    }

    /** Runs {@code check} for every (m, n, k) of the three lists, m outermost. */
    private static void forEachShape(int[] rows, int[] cols, int[] depths, ShapeCheck check) {
        for (int m : rows) for (int n : cols) for (int k : depths) check.run(m, n, k);
    }

    /**
     * Map {@code kind} over n columns: 0 none; 1 affine and a clip that bites ([0, 0.5]); 2 affine alone
     * ([−∞, +∞]); 3 clip alone ([0, +∞], a plain ReLU). Parameter arrays are exactly n long, so a read past column n throws.
     */
    static ColumnMap map(Random rnd, int n, int kind) {
        return switch (kind) {
            case 0 -> null;
            case 1 -> new ColumnMap(random(rnd, n), random(rnd, n), 0f, 0.5f);
            case 2 -> new ColumnMap(random(rnd, n), random(rnd, n), Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            default -> new ColumnMap(null, null, 0f, Float.POSITIVE_INFINITY);
        };
    }

    @Test
    void largeShapesCrossEveryBlockBoundary() {
        Random rnd = new Random(11);
        // k beyond KC = 256, n beyond NC = 512, m beyond MC = 192: several blocks of each.
        check(rnd, 200, 40, 1100, false, false, true, null);
        check(rnd, 37, 600, 300, false, true, false, null);
        check(rnd, 45, 29, 2000, true, false, false, null);
        check(rnd, 1000, 40, 9, false, false, false, null);
        // The map goes with the last of several k blocks, across column and row blocks.
        check(rnd, 200, 40, 1100, false, false, true, map(rnd, 40, 1));
        check(rnd, 37, 600, 300, false, false, false, map(rnd, 600, 2));
        check(rnd, 1000, 40, 9, false, false, true, map(rnd, 40, 3));
        // Few rows: columns beyond one L1 block, k beyond KC.
        check(rnd, 3, 5000, 300, false, false, true, map(rnd, 5000, 1));
        check(rnd, 7, 1100, 300, true, false, false, null);
        // A tail of 1 or 3 rows after the full row panels (49 = 6·8 + 1: a 7 × 7 image), across every block boundary.
        check(rnd, 49, 600, 300, false, false, false, map(rnd, 600, 1));
        check(rnd, 49, 600, 300, false, false, true, null);
        check(rnd, 203, 40, 1100, true, false, true, map(rnd, 40, 2));
    }

    /**
     * A block of C beyond 4 MB with several k blocks goes in row spans of whole row blocks, B packed for all k blocks:
     * against the scalar twin on one thread (on more, each thread's share of C may fall under 4 MB; a last span
     * shorter than the others, a row tail after it; two column blocks; A or B transposed; a map), and at 1 against 2
     * threads, each share in several spans, B packed once for both threads (at most SHARED_PACK_FLOATS) or by each
     * thread into its own buffer for all k blocks (300 × 1000 beyond it). Billions of multiply-adds: not run under
     * emulation (.ci/aarch64.sh), where the loop order is the same code.
     */
    @Test
    void deepProductsWithALargeCGoInRowSpans() {
        Random rnd = new Random(12);
        Parallel.setThreads(1);
        check(rnd, 11203, 200, 300, false, false, true, null);
        check(rnd, 4403, 700, 300, false, true, false, map(rnd, 700, 1));
        check(rnd, 7200, 300, 400, true, false, false, null);
        assertSameOnOneAndTwoThreads(rnd, new int[][] {{11000, 200, 300, 0, 0}, {4500, 700, 300, 0, 1}, {4500, 1000, 300, 0, 0}});
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(3);
        int[][] shapes = {{700, 96, 64, 0, 0}, {500, 64, 96, 0, 1}, {96, 64, 900, 1, 0}, {16, 300, 500, 1, 0}, {300, 24, 200, 0, 0},
                {1, 1000, 1280, 0, 0}, {5, 333, 700, 0, 0}, {49, 1280, 320, 0, 0}, {401, 160, 300, 0, 0}, {51, 160, 300, 1, 0},
                // split by column vectors: a share ending inside a 2L panel; then by rows (2 row panels)
                {16, 96, 3000, 1, 0}, {16, 80, 3000, 1, 0}, {16, 36, 3000, 1, 0}, {144, 24, 900, 1, 0},
                // split by columns, A packed once for both threads: a partial last row panel, several k blocks; a
                // one-row tail, two row blocks, two column blocks a share; B transposed
                {61, 700, 600, 0, 0}, {201, 1100, 300, 0, 0}, {45, 500, 700, 0, 1},
                // split by rows, B packed once: two column blocks (the last one padded), several k blocks; B transposed
                {900, 600, 300, 0, 0}, {700, 88, 600, 0, 1},
                // a stem convolution's dW (27 × 32, deep): by rows at 512 bits (a column share under 2L wide, two row panels a thread)
                {27, 32, 5000, 1, 0}};
        assertSameOnOneAndTwoThreads(rnd, shapes);
    }

    /** Each {@code {m, n, k, transA, transB}} product, accumulated and mapped, gives the same bits on 1 and 2 threads. */
    private static void assertSameOnOneAndTwoThreads(Random rnd, int[][] shapes) {
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            boolean ta = s[3] == 1, tb = s[4] == 1;
            float[] a = random(rnd, m * k), b = random(rnd, k * n), c0 = random(rnd, m * n);
            ColumnMap map = map(rnd, n, 1 + m % 3);
            float[][] results = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                float[] c = c0.clone();
                Kernels.GEMM.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, true, map);
                results[threads - 1] = c;
            }
            assertArrayEquals(results[0], results[1], "m=" + m + " n=" + n + " k=" + k);
        }
    }

    /**
     * The 1×1 backward pair against the scalar twin's two separate products, bit for bit, at 1 and 2 threads: with
     * both gradients (the one-pass path once rows reach two chunks; dW transposed where that fills the tiles better,
     * as 40 → 13 channels at 512 bits), with only one of them, with dX added or overwritten, on channel counts that
     * hit the row and column tails at both widths; and with dY computed when read ({@link RowSource}: chunk by chunk
     * into a buffer of its own on the one-pass path, an odd and an even number of chunks), each row asked for once.
     */
    @Test
    void pointwiseBackwardMatchesTheSeparateScalarProducts() {
        Random rnd = new Random(13);
        // {rows, cin, cout}: one pass (two chunks or more) with tails; 10007 × 40 → 13 and 2000 × 144 → 24 compute dWᵀ
        // at 512 bits; 2000 × 144 → 24 and 300 × 17 → 70 take the separate products (wide input; one chunk).
        int[][] shapes = {{2053, 17, 70}, {1301, 9, 200}, {1500, 24, 144}, {10007, 40, 13}, {2000, 144, 24}, {300, 17, 70}};
        for (int[] s : shapes) {
            int rows = s[0], cin = s[1], cout = s[2];
            float[] x = random(rnd, rows * cin), dy = random(rnd, rows * cout), w = random(rnd, cin * cout);
            float[] dx0 = random(rnd, rows * cin);
            for (int which = 0; which < 4; which++) { // 0: both, dX written; 1: both, dX added; 2: dW only; 3: dX only
                boolean wantDw = which != 3, wantDx = which != 2, add = which == 1;
                String what = "rows=" + rows + " cin=" + cin + " cout=" + cout + " case " + which;
                float[] dwS = wantDw ? new float[cin * cout] : null, dxS = wantDx ? dx0.clone() : null;
                if (wantDw) SCALAR.gemm(true, false, cin, cout, rows, x, 0, cin, dy, 0, cout, dwS, 0, cout, false);
                if (wantDx) SCALAR.gemm(false, true, rows, cin, cout, dy, 0, cout, w, 0, cout, dxS, 0, cin, add);
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    for (boolean fromRows : new boolean[] {false, true}) {
                        String how = what + ", " + threads + " threads" + (fromRows ? ", dY from rows" : "");
                        float[] dwV = wantDw ? random(rnd, cin * cout) : null, dxV = wantDx ? dx0.clone() : null;
                        int[] filled = new int[rows];
                        RowSource source = copying(dy, rows, cout, filled);
                        Kernels.GEMM.pointwiseBackward(rows, cin, cout, x, fromRows ? random(rnd, rows * cout) : dy,
                                fromRows ? source : null, w, dwV, dxV, add);
                        if (wantDw) assertArrayEquals(dwS, dwV, how + ": dW");
                        if (wantDx) assertArrayEquals(dxS, dxV, how + ": dX");
                        for (int r = 0; r < rows; r++) assertEquals(fromRows ? 1 : 0, filled[r], how + ": fills of row " + r);
                    }
                }
            }
        }
    }

    /** dY's rows computed when read: copied from {@code dy}, counting in {@code filled} how often each row is asked for. */
    private static RowSource copying(float[] dy, int rows, int cout, int[] filled) {
        return new RowSource() {
            @Override public int rows() { return rows; }

            @Override public int width() { return cout; }

            @Override public void fill(int from, int to, float[] dst, int offset) {
                System.arraycopy(dy, from * cout, dst, offset, (to - from) * cout);
                for (int r = from; r < to; r++) filled[r]++;
            }
        };
    }

    /**
     * Runs C (+)= op(A)·op(B), then the map if any, on a sub-matrix with padded leading dimensions and offsets; checks
     * the vector result equals the scalar twin bit for bit and leaves the padding untouched; without a map, that it
     * is close to a double reference; with one, that it equals the plain product followed by the map (bit for bit).
     */
    private static void check(Random rnd, int m, int n, int k, boolean ta, boolean tb, boolean acc, ColumnMap map) {
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3, aOff = 5, bOff = 2, cOff = 4;
        float[] a = random(rnd, aOff + (ta ? k : m) * lda), b = random(rnd, bOff + (tb ? n : k) * ldb);
        float[] c0 = random(rnd, cOff + m * ldc);
        float[] cv = c0.clone(), cs = c0.clone();
        Kernels.GEMM.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, cv, cOff, ldc, acc, map);
        SCALAR.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, cs, cOff, ldc, acc, map);
        String what = (ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k + " acc=" + acc
                + (map == null ? "" : " map=[" + (map.scale() != null ? "affine, " : "") + map.lo() + ", " + map.hi() + "]");
        assertArrayEquals(cs, cv, what);
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc && cOff + i * ldc + j < cv.length; j++) {
                assertEquals(c0[cOff + i * ldc + j], cv[cOff + i * ldc + j], what + ": wrote outside C at row " + i);
            }
        }
        if (map != null) {
            float[] twoPass = c0.clone();
            Kernels.GEMM.gemm(ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, twoPass, cOff, ldc, acc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) twoPass[cOff + i * ldc + j] = map.apply(twoPass[cOff + i * ldc + j], j);
            }
            assertArrayEquals(twoPass, cv, what + ": product, then map");
            return;
        }
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
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }
}
