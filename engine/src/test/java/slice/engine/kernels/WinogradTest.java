package slice.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import slice.engine.GradCheck;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Parallel;
import slice.engine.RestoresThreads;
import slice.engine.Simd;
import slice.engine.Tensor;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * The Winograd F(2×2, 3×3) convolution: the vector transforms against their scalar twin bit for bit on shapes that hit
 * the channel tails and the cut tiles of odd outputs, and the whole convolution against a direct double-precision
 * sum within the tolerance {@link WinogradConv} documents, at any thread count.
 */
@ExtendWith(RestoresThreads.class)
class WinogradTest {
    /** (h, w, Cin, Cout, padding 'same'?): odd and even sizes, channels below, at and past L = 4, 8 and 16. */
    private static final int[][] SHAPES = {
        {7, 5, 5, 7, 1}, {7, 5, 5, 7, 0}, {6, 9, 3, 17, 1}, {9, 6, 17, 3, 0}, {5, 5, 16, 33, 1}, {4, 4, 33, 16, 0},
        {3, 3, 8, 4, 0}, {1, 2, 12, 20, 1}, {11, 7, 37, 19, 1}};
    private static final WinogradKernel SCALAR = new WinogradScalar();
    @Test
    void vectorKernelIsSelected() {
        if (Simd.ENABLED) assertNotSame(WinogradScalar.class, Kernels.WINOGRAD.getClass());
    }

    @Test
    void vectorTransformsMatchScalarTwinBitForBit() {
        Random rnd = new Random(13);
        for (int[] s : SHAPES) {
            WinogradConv g = geometry(s, 2);
            String what = describe(s);
            float[] kernel = random(rnd, 9 * g.cin * g.cout);
            float[] uScalar = new float[16 * g.cin * g.cout], uVector = new float[uScalar.length];
            SCALAR.transformKernel(kernel, g.cin, g.cout, 0, g.cin, uScalar);
            Kernels.WINOGRAD.transformKernel(kernel, g.cin, g.cout, 0, g.cin, uVector);
            assertArrayEquals(uScalar, uVector, what + " kernel");

            // A block of tiles that starts past tile 0 and ends before the last, so offsets into V and M count.
            int tiles = 2 * g.tilesH * g.tilesW, t0 = tiles / 3, t1 = Math.max(t0 + 1, tiles - 1);
            float[] x = random(rnd, 2 * g.h * g.w * g.cin);
            // Planes a few floats apart beyond their size; the gaps must stay untouched (zero).
            int vPlane = (t1 - t0) * g.cin + 3, mPlane = (t1 - t0) * g.cout + 5;
            float[] vScalar = new float[16 * vPlane], vVector = new float[vScalar.length];
            SCALAR.transformInput(g, x, t0, t1, vScalar, 0, vPlane);
            Kernels.WINOGRAD.transformInput(g, x, t0, t1, vVector, 0, vPlane);
            for (int xi = 0; xi < 16; xi++) assertEquals(0f, vScalar[xi * vPlane + vPlane - 1], what + " gap after plane " + xi);
            assertArrayEquals(vScalar, vVector, what + " input");

            float[] m = random(rnd, 16 * mPlane), y0 = random(rnd, 2 * g.outH * g.outW * g.cout);
            for (int kind = 0; kind < 4; kind++) {
                float[] bias = kind % 2 == 0 ? null : random(rnd, g.cout);
                ColumnMap map = GemmTest.map(rnd, g.cout, kind);
                float[] yScalar = y0.clone(), yVector = y0.clone();
                SCALAR.transformOutput(g, m, t0, t1, mPlane, bias, map, yScalar);
                Kernels.WINOGRAD.transformOutput(g, m, t0, t1, mPlane, bias, map, yVector);
                assertArrayEquals(yScalar, yVector, what + " output, map kind " + kind);
            }

            float[] dy = random(rnd, 2 * g.outH * g.outW * g.cout);
            float[] zScalar = new float[16 * mPlane], zVector = new float[zScalar.length];
            SCALAR.transformOutputGradient(g, dy, t0, t1, zScalar, 0, mPlane);
            Kernels.WINOGRAD.transformOutputGradient(g, dy, t0, t1, zVector, 0, mPlane);
            for (int xi = 0; xi < 16; xi++) assertEquals(0f, zScalar[xi * mPlane + mPlane - 1], what + " gap after plane " + xi);
            assertArrayEquals(zScalar, zVector, what + " output gradient");
            float[] du = random(rnd, 16 * g.cin * g.cout), dwScalar = new float[9 * g.cin * g.cout], dwVector = new float[dwScalar.length];
            SCALAR.transformKernelGradient(du, g.cin, g.cout, 0, g.cin, dwScalar);
            Kernels.WINOGRAD.transformKernelGradient(du, g.cin, g.cout, 0, g.cin, dwVector);
            assertArrayEquals(dwScalar, dwVector, what + " kernel gradient");
        }
    }

    /**
     * The kernel gradient against the exact sum {@code Σ x·dy} in double, within {@code 2⁻²⁰ · S}, {@code S} the largest
     * {@code Σ |x|·|dy|} among the 9 taps of the weight's channel pair (as {@link WinogradConv#kernelGradient} states):
     * cut tiles of odd outputs, both paddings, channel tails, and more tiles than one block.
     */
    @Test
    void kernelGradientMatchesExactSumWithinDocumentedTolerance() {
        Random rnd = new Random(37);
        for (int[] s : SHAPES) checkKernelGradient(rnd, s, 3);
        checkKernelGradient(rnd, new int[] {23, 21, 20, 24, 1}, 3); // 396 tiles: two blocks
    }

    private static void checkKernelGradient(Random rnd, int[] s, int batch) {
        WinogradConv g = geometry(s, batch);
        float[] x = random(rnd, batch * g.h * g.w * g.cin), dy = random(rnd, batch * g.outH * g.outW * g.cout);
        float[] dw = random(rnd, 9 * g.cin * g.cout); // overwritten
        g.kernelGradient(x, dy, batch, dw);
        double[] exact = new double[dw.length], sumAbs = new double[dw.length];
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int tap = 0; tap < 9; tap++) {
                        int iy = oy - g.padTop + tap / 3, ix = ox - g.padLeft + tap % 3;
                        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                        for (int c = 0; c < g.cin; c++) {
                            double xv = x[((n * g.h + iy) * g.w + ix) * g.cin + c];
                            for (int o = 0; o < g.cout; o++) {
                                double p = xv * dy[((n * g.outH + oy) * g.outW + ox) * g.cout + o];
                                exact[(tap * g.cin + c) * g.cout + o] += p;
                                sumAbs[(tap * g.cin + c) * g.cout + o] += Math.abs(p);
                            }
                        }
                    }
                }
            }
        }
        int pair = g.cin * g.cout;
        double[] widest = new double[pair]; // per (c, o): the largest S over its taps
        for (int i = 0; i < sumAbs.length; i++) widest[i % pair] = Math.max(widest[i % pair], sumAbs[i]);
        for (int i = 0; i < exact.length; i++) {
            assertEquals(exact[i], dw[i], 0x1p-20 * widest[i % pair] + Math.ulp((float) exact[i]), describe(s) + " dW at " + i);
        }
    }

    @Test
    void convolutionMatchesDirectSumWithinDocumentedTolerance() {
        Random rnd = new Random(17);
        for (int[] s : SHAPES) checkAgainstDirect(rnd, s, 3);
        // Wide channels: the GEMMs' sums are long and the kernel transform is parallel over input channels.
        checkAgainstDirect(rnd, new int[] {9, 8, 300, 40, 1}, 1);
    }

    /** Asserts each output of the whole convolution (with bias and a batch norm's affine map) against {@link #direct}. */
    private static void checkAgainstDirect(Random rnd, int[] s, int batch) {
        WinogradConv g = geometry(s, batch);
        float[] x = random(rnd, batch * g.h * g.w * g.cin), kernel = random(rnd, 9 * g.cin * g.cout), bias = random(rnd, g.cout);
        ColumnMap map = GemmTest.map(rnd, g.cout, 2); // affine without a clip, so that no output escapes the comparison
        float[] y = new float[batch * g.outH * g.outW * g.cout];
        g.forward(x, batch, kernel, bias, map, y);
        double[][] exact = direct(g, batch, x, kernel, bias);
        for (int i = 0; i < y.length; i++) {
            int o = i % g.cout;
            double expected = map.apply((float) exact[0][i], o), bound = Math.abs(map.scale()[o]) * 0x1p-20 * exact[1][i];
            // The map's own float rounding of the exact value: a half ulp of the result, plus the bound's share.
            assertEquals(expected, y[i], bound + Math.ulp((float) expected), describe(s) + " at " + i);
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(19);
        WinogradConv g = new WinogradConv(37, 29, 24, 40, 1, 1, 37, 29); // several blocks of tiles
        assertTrue(3 * g.tilesH * g.tilesW > 2 * g.blockTiles());
        float[] x = random(rnd, 3 * g.h * g.w * g.cin), kernel = random(rnd, 9 * g.cin * g.cout), bias = random(rnd, g.cout);
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            results[threads - 1] = new float[3 * g.outH * g.outW * g.cout];
            g.forward(x, 3, kernel, bias, GemmTest.map(rnd, g.cout, 3), results[threads - 1]);
        }
        assertArrayEquals(results[0], results[1]);
        float[] dy = random(rnd, 3 * g.outH * g.outW * g.cout);
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            results[threads - 1] = new float[9 * g.cin * g.cout];
            g.kernelGradient(x, dy, 3, results[threads - 1]);
        }
        assertArrayEquals(results[0], results[1], "kernel gradient");
    }

    @Test
    void conv2dTakesWinogradInInferenceAndWhenFrozen() {
        Random rnd = new Random(23);
        for (Padding padding : Padding.values()) {
            Conv2D conv = new Conv2D("conv", new Input("x", 9, 7, 17), 19, 3, 3, 1, 1, padding, true);
            GradCheck.randomizeWeights(conv, rnd, -1, 1);
            int batch = 8, oh = conv.outputShape()[0], ow = conv.outputShape()[1];
            Tensor x = GradCheck.random(rnd, batch, 9, 7, 17);
            WinogradConv g = new WinogradConv(9, 7, 17, 19, padding.padBefore(9, 3, 1), padding.padBefore(7, 3, 1), oh, ow);
            assertTrue(g.pays(batch), padding + ": enough tiles");
            float[] expected = new float[batch * oh * ow * 19];
            g.forward(x.data, batch, conv.kernel.value.data, conv.bias.value.data, null, expected);

            assertArrayEquals(expected, LayerHarness.forward(conv, false, x).data, padding + " inference");
            float[] direct = LayerHarness.forward(conv, true, x).data;
            assertFalse(Arrays.equals(expected, direct), padding + ": a trainable layer's training forward is the direct product");
            conv.setTrainable(false);
            assertArrayEquals(expected, LayerHarness.forward(conv, true, x).data, padding + " frozen, training");
        }
    }

    /**
     * A graph planned for 4 images runs 1 image with the product it chose for 4: the image's output is the same. On an
     * 8×8 map a 3×3 kernel has 16 tiles per image (F(2×2, 3×3) pays from 3 images), on a 6×8 map a 7×1 kernel 24
     * (F(2, 7) pays from 2).
     */
    @ParameterizedTest
    @CsvSource({"8, 3, 3", "6, 7, 1"})
    void conv2dChoosesByThePlannedCapacityNotTheBatch(int h, int kh, int kw) {
        Input in = new Input("x", h, 8, 16);
        Conv2D conv = new Conv2D("conv", in, 16, kh, kw, 1, 1, Padding.SAME, true);
        GradCheck.randomizeWeights(conv, new Random(29), -1, 1);
        conv.setTrainable(false);
        Graph g = new Graph(in, conv);
        g.plan(4);
        int image = h * 8 * 16;
        Tensor x = GradCheck.random(new Random(31), 4, h, 8, 16);
        float[] first = Arrays.copyOf(g.forward(x, false).data, image);
        float[] alone = g.forward(Tensor.wrap(Arrays.copyOf(x.data, image), 1, h, 8, 16), false).data;
        assertArrayEquals(first, Arrays.copyOf(alone, first.length));
        Graph direct = new Graph(in, conv);
        direct.plan(1);
        assertFalse(Arrays.equals(first, Arrays.copyOf(direct.forward(Tensor.wrap(Arrays.copyOf(x.data, image), 1, h, 8, 16),
                false).data, first.length)), "planned for 1 image: the direct product, which rounds differently");
    }

    @Test
    void ruleTakesOnlyThreeByThreeStrideOneWithEnoughChannelsAndTiles() {
        assertTrue(WinogradConv.suits(3, 3, 1, 1, 32, 64));
        assertFalse(WinogradConv.suits(3, 3, 2, 2, 32, 64));
        assertFalse(WinogradConv.suits(3, 1, 1, 1, 32, 64));
        assertFalse(WinogradConv.suits(3, 3, 1, 1, WinogradConv.MIN_CHANNELS - 1, 64));
        assertFalse(WinogradConv.suits(3, 3, 1, 1, 64, WinogradConv.MIN_CHANNELS - 1));
        WinogradConv eightByEight = new WinogradConv(8, 8, 448, 384, 1, 1, 8, 8); // 16 tiles per image
        assertFalse(eightByEight.pays(WinogradConv.MIN_TILES / 16 - 1));
        assertTrue(eightByEight.pays(WinogradConv.MIN_TILES / 16));
    }

    /** Shape {@code s} = (h, w, Cin, Cout, same?) as a geometry: 'same' pads one pixel, 'valid' none. */
    private static WinogradConv geometry(int[] s, int batch) {
        int h = s[0], w = s[1], pad = s[4];
        return new WinogradConv(h, w, s[2], s[3], pad, pad, h - 2 + 2 * pad, w - 2 + 2 * pad);
    }

    private static String describe(int[] s) {
        return s[0] + "x" + s[1] + " " + s[2] + "->" + s[3] + (s[4] == 1 ? " same" : " valid");
    }

    /** The exact convolution plus bias in double, and each output's sum of absolute products {@code S = Σ |x|·|k|}. */
    private static double[][] direct(WinogradConv g, int batch, float[] x, float[] kernel, float[] bias) {
        double[] y = new double[batch * g.outH * g.outW * g.cout], abs = new double[y.length];
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int o = 0; o < g.cout; o++) {
                        double sum = bias[o], sumAbs = 0;
                        for (int ky = 0; ky < 3; ky++) {
                            int iy = oy - g.padTop + ky;
                            for (int kx = 0; kx < 3; kx++) {
                                int ix = ox - g.padLeft + kx;
                                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                for (int c = 0; c < g.cin; c++) {
                                    double p = (double) x[((n * g.h + iy) * g.w + ix) * g.cin + c] * kernel[((3 * ky + kx) * g.cin + c) * g.cout + o];
                                    sum += p;
                                    sumAbs += Math.abs(p);
                                }
                            }
                        }
                        int i = ((n * g.outH + oy) * g.outW + ox) * g.cout + o;
                        y[i] = sum;
                        abs[i] = sumAbs;
                    }
                }
            }
        }
        return new double[][] {y, abs};
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }
}
