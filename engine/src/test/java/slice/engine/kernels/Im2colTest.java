package slice.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.Parallel;
import slice.engine.layers.Padding;

/**
 * The implicit GEMM: products whose A operand {@link Im2col} packs straight from the input give the same bits as the
 * product on the gathered column matrix, vector and scalar alike, on windows, strides, paddings and channel counts
 * that hit every tail (rows around MR, k around and beyond KC = 256, border taps).
 */
class Im2colTest {
    private static final Gemm SCALAR = new ScalarGemm();
    // {h, w, cin, kh, kw, stride, cout}: RGB and odd channel counts, odd sizes, 1×7 and 7×1, Kc = 333 and 1044 beyond KC.
    private static final int[][] SHAPES = {
            {9, 11, 3, 3, 3, 2, 32}, {7, 9, 5, 3, 3, 1, 17}, {11, 7, 5, 5, 5, 1, 33}, {9, 9, 6, 1, 7, 1, 12},
            {9, 9, 6, 7, 1, 1, 5}, {5, 13, 37, 3, 3, 1, 48}, {6, 5, 116, 3, 3, 2, 20}, {13, 13, 3, 3, 3, 2, 1},
            {3, 3, 4, 5, 5, 1, 7}, {10, 8, 29, 1, 3, 1, 40}, {8, 10, 29, 3, 1, 2, 40},
            // Blocks of whole row panels and Cout one or two column panels of 2L (L = 4 or 16), where panels whose
            // windows lie inside the image are read in place, a window row at a time: runs of 9, 40, 111 (crossing
            // KC) and 112 floats.
            {23, 21, 3, 3, 3, 1, 32}, {19, 17, 8, 5, 5, 1, 64}, {40, 22, 37, 3, 3, 2, 32}, {17, 17, 16, 1, 7, 1, 8},
            {23, 21, 3, 3, 3, 1, 16},
            // Cout wide enough that two threads split the product by columns, A then packed once for both (k = 360,
            // two k blocks at 512 bits; rows 86 or 48, a partial last row panel).
            {8, 8, 40, 3, 3, 1, 400}};
    /**
     * On one thread, C beyond 4 MB with k beyond KC (VectorGemm's row spans, B packed for all k blocks); with Cout = 64
     * at 512 bits, panels read in place too. Billions of multiply-adds: not run under emulation (.ci/aarch64.sh).
     */
    private static final int[][] SPAN_SHAPES = {{75, 75, 32, 3, 3, 1, 160}, {115, 115, 32, 3, 3, 1, 64}};

    @Test
    void packedRowsGiveTheBitsOfTheGatheredColumns() {
        checkShapes(new Random(13), SHAPES);
    }

    @Test
    void rowSpansGiveTheBitsOfTheGatheredColumns() {
        int threads = Parallel.threads();
        Parallel.setThreads(1);
        try {
            checkShapes(new Random(17), SPAN_SHAPES);
        } finally {
            Parallel.setThreads(threads);
        }
    }

    private static void checkShapes(Random rnd, int[][] shapes) {
        for (int[] s : shapes) {
            for (Padding padding : Padding.values()) {
                int n = 2, h = s[0], w = s[1], cin = s[2], kh = s[3], kw = s[4], stride = s[5], cout = s[6];
                if (padding == Padding.VALID && (h < kh || w < kw)) continue;
                Im2col im2col = new Im2col(h, w, cin, kh, kw, stride, stride, padding.padBefore(h, kh, stride),
                        padding.padBefore(w, kw, stride), padding.outSize(h, kh, stride), padding.outSize(w, kw, stride));
                int rows = n * im2col.outH() * im2col.outW(), kc = im2col.columns();
                float[] x = random(rnd, n * h * w * cin), weights = random(rnd, kc * cout);
                float[] cols = new float[rows * kc];
                im2col.gather(x, 0, rows, cols);
                assertGatheredAsDefined(im2col, x, cols, n);
                // A later tile of rows (from > 0), onto a C that is accumulated into, with and without a map.
                int from = rows / 3, m = rows - from;
                for (int kind = 0; kind < 3; kind++) {
                    boolean accumulate = kind != 1;
                    ColumnMap map = kind == 2 ? new ColumnMap(random(rnd, cout), random(rnd, cout), 0f, 0.5f) : null;
                    float[] c0 = random(rnd, m * cout), stored = c0.clone(), vector = c0.clone(), scalar = c0.clone();
                    Kernels.GEMM.gemm(false, false, m, cout, kc, cols, from * kc, kc, weights, 0, cout, stored, 0, cout, accumulate, map);
                    Kernels.GEMM.gemm(m, cout, kc, im2col.rows(x, from), weights, 0, cout, vector, 0, cout, accumulate, map);
                    SCALAR.gemm(m, cout, kc, im2col.rows(x, from), weights, 0, cout, scalar, 0, cout, accumulate, map);
                    String what = h + "x" + w + "x" + cin + " " + kh + "x" + kw + " stride " + stride + " " + padding + " ->" + cout
                            + " kind " + kind;
                    assertArrayEquals(stored, vector, what + ": packed vs stored");
                    assertArrayEquals(stored, scalar, what + ": scalar twin");
                }
            }
        }
    }

    /** Every entry of the gathered matrix against the definition {@code cols[r][(ky·kw + kx)·Cin + c]}. */
    private static void assertGatheredAsDefined(Im2col g, float[] x, float[] cols, int n) {
        int r = 0;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++, r++) {
                    for (int ky = 0; ky < g.kh(); ky++) {
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int iy = oy * g.strideH() - g.padTop() + ky, ix = ox * g.strideW() - g.padLeft() + kx;
                            boolean inside = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                            for (int c = 0; c < g.cin(); c++) {
                                float expected = inside ? x[((b * g.h() + iy) * g.w() + ix) * g.cin() + c] : 0f;
                                assertEquals(expected, cols[r * g.columns() + (ky * g.kw() + kx) * g.cin() + c]);
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }
}
