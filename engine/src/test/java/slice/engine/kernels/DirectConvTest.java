package slice.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.Simd;

/**
 * The direct convolution for few input channels: the vector kernel against its scalar twin, and both against the
 * implicit GEMM that computed these layers before, bit for bit, on odd widths, padded borders, strides 1 and 2, input
 * channels 1 to 4 and output channel counts below, at and past one, two and four vectors of 4, 8 and 16 lanes.
 */
class DirectConvTest {
    /** (h, w, Cin, kh, kw, stride, padding 'same'?): a stem at odd and even sizes, and other windows. */
    private static final int[][] SHAPES = {
        {23, 21, 3, 3, 3, 2, 1}, {22, 20, 3, 3, 3, 2, 1}, {21, 19, 3, 3, 3, 2, 0}, {9, 13, 1, 3, 3, 1, 1},
        {8, 11, 4, 5, 5, 1, 1}, {7, 26, 2, 1, 7, 1, 1}, {11, 5, 3, 7, 1, 2, 0}, {3, 4, 3, 3, 3, 1, 1}, {2, 2, 3, 3, 3, 2, 1}};
    private static final int[] COUTS = {3, 5, 8, 13, 16, 19, 32, 37, 40, 67};
    private static final DirectConvKernel SCALAR = new DirectConvScalar();

    @Test
    void vectorKernelIsSelected() {
        if (Simd.ENABLED) assertNotSame(DirectConvScalar.class, Kernels.DIRECT_CONV.getClass());
    }

    @Test
    void ruleTakesFewInputChannels() {
        assertTrue(DirectConvKernel.suits(3));
        assertTrue(DirectConvKernel.suits(DirectConvKernel.MAX_CHANNELS));
        assertFalse(DirectConvKernel.suits(DirectConvKernel.MAX_CHANNELS + 1));
    }

    @Test
    void vectorKernelAndScalarTwinGiveTheImplicitGemmsBits() {
        Random rnd = new Random(41);
        int batch = 2, config = 0;
        for (int[] s : SHAPES) {
            for (int cout : COUTS) {
                Im2col g = geometry(s);
                int rows = batch * g.outH() * g.outW();
                float[] x = random(rnd, batch * g.h() * g.w() * g.cin()), kernel = random(rnd, g.columns() * cout);
                float[] bias = config % 2 == 0 ? random(rnd, cout) : null;
                ColumnMap map = GemmTest.map(rnd, cout, config % 4);
                String what = Arrays.toString(s) + " -> " + cout + (bias == null ? "" : " bias") + " map " + config % 4;
                config++;

                float[] gemm = new float[rows * cout];
                if (bias != null) MatrixRows.broadcast(bias, rows, cout, gemm);
                Kernels.GEMM.gemm(rows, cout, g.columns(), g.rows(x, 0), kernel, 0, cout, gemm, 0, cout, bias != null, map);

                // rows split in two calls at an odd row, so that a call starting past row 0 counts
                int split = batch * g.outH() / 2 | 1, all = batch * g.outH();
                float[] scalar = new float[rows * cout], vector = new float[rows * cout];
                SCALAR.forward(g, cout, x, kernel, bias, map, scalar, 0, Math.min(split, all));
                SCALAR.forward(g, cout, x, kernel, bias, map, scalar, Math.min(split, all), all);
                Kernels.DIRECT_CONV.forward(g, cout, x, kernel, bias, map, vector, 0, Math.min(split, all));
                Kernels.DIRECT_CONV.forward(g, cout, x, kernel, bias, map, vector, Math.min(split, all), all);
                assertArrayEquals(gemm, scalar, what + ": scalar twin against the GEMM");
                assertArrayEquals(scalar, vector, what + ": vector against scalar twin");
            }
        }
    }

    /** Shape {@code s} as a geometry: 'same' pads as TF (the extra pixel bottom/right), 'valid' none. */
    private static Im2col geometry(int[] s) {
        int h = s[0], w = s[1], kh = s[3], kw = s[4], st = s[5];
        boolean same = s[6] == 1;
        int outH = same ? (h + st - 1) / st : (h - kh) / st + 1, outW = same ? (w + st - 1) / st : (w - kw) / st + 1;
        int padTop = same ? Math.max(0, (outH - 1) * st + kh - h) / 2 : 0, padLeft = same ? Math.max(0, (outW - 1) * st + kw - w) / 2 : 0;
        return new Im2col(h, w, s[2], kh, kw, st, st, padTop, padLeft, outH, outW);
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }
}
