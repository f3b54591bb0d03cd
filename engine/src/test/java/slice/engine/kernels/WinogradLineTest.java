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
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Parallel;
import slice.engine.RestoresThreads;
import slice.engine.Simd;
import slice.engine.Tensor;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * The Winograd F(2, 7) and F(2, 3) convolutions of 1×7, 7×1, 1×3 and 3×1 kernels: the vector transforms against their
 * scalar twin bit for bit on shapes that hit the channel tails and the cut tiles of odd outputs, and the whole
 * convolution against a direct double-precision sum within the tolerance {@link WinogradLineConv} documents, at any
 * thread count.
 */
@ExtendWith(RestoresThreads.class)
class WinogradLineTest {
    /** (h, w, Cin, Cout, padding 'same'?, r×1?): odd and even sizes, channels below, at and past L = 4, 8 and 16. */
    private static final int[][] SHAPES = {
        {5, 9, 5, 7, 1, 0}, {9, 5, 5, 7, 1, 1}, {3, 9, 5, 7, 0, 0}, {10, 4, 7, 5, 0, 1}, {6, 11, 3, 17, 1, 0},
        {11, 6, 17, 3, 1, 1}, {4, 17, 16, 33, 1, 0}, {17, 4, 33, 16, 1, 1}, {2, 8, 8, 4, 0, 0}, {1, 1, 12, 20, 1, 1},
        {7, 13, 37, 19, 1, 0}, {13, 7, 19, 37, 1, 1}, {10, 4, 20, 9, 0, 1}, {3, 9, 18, 7, 0, 0}};
    private static final WinogradLineKernel SCALAR = new WinogradLineScalar();
    /** Taps r of the two transforms, F(2, 7) and F(2, 3). */
    private static final int[] TAPS = {7, 3};

    @Test
    void vectorKernelIsSelected() {
        if (Simd.ENABLED) assertNotSame(WinogradLineScalar.class, Kernels.WINOGRAD_LINE.getClass());
    }

    @Test
    void vectorTransformsMatchScalarTwinBitForBit() {
        Random rnd = new Random(13);
        for (int taps : TAPS) for (int[] s : SHAPES) {
            WinogradLineConv g = geometry(taps, s);
            String what = describe(taps, s);
            int points = g.points();
            float[] kernel = random(rnd, taps * g.cin * g.cout);
            float[] uScalar = new float[points * g.cin * g.cout], uVector = new float[uScalar.length];
            SCALAR.transformKernel(taps, kernel, g.cin, g.cout, 0, g.cin, uScalar);
            Kernels.WINOGRAD_LINE.transformKernel(taps, kernel, g.cin, g.cout, 0, g.cin, uVector);
            assertArrayEquals(uScalar, uVector, what + " kernel");

            // A block of tiles that starts past tile 0 and ends before the last, so offsets into V and M count.
            int tiles = 2 * g.tilesH * g.tilesW, t0 = tiles / 3, t1 = Math.max(t0 + 1, tiles - 1);
            float[] x = random(rnd, 2 * g.h * g.w * g.cin);
            // Planes a few floats apart beyond their size; the gaps must stay untouched (zero).
            int vPlane = (t1 - t0) * g.cin + 3, mPlane = (t1 - t0) * g.cout + 5;
            float[] vScalar = new float[points * vPlane], vVector = new float[vScalar.length];
            SCALAR.transformInput(g, x, t0, t1, vScalar, 0, vPlane);
            Kernels.WINOGRAD_LINE.transformInput(g, x, t0, t1, vVector, 0, vPlane);
            for (int xi = 0; xi < points; xi++) assertEquals(0f, vScalar[xi * vPlane + vPlane - 1], what + " gap after plane " + xi);
            assertArrayEquals(vScalar, vVector, what + " input");

            float[] m = random(rnd, points * mPlane), y0 = random(rnd, 2 * g.outH * g.outW * g.cout);
            for (int kind = 0; kind < 4; kind++) {
                float[] bias = kind % 2 == 0 ? null : random(rnd, g.cout);
                ColumnMap map = GemmTest.map(rnd, g.cout, kind);
                float[] yScalar = y0.clone(), yVector = y0.clone();
                SCALAR.transformOutput(g, m, t0, t1, mPlane, bias, map, yScalar);
                Kernels.WINOGRAD_LINE.transformOutput(g, m, t0, t1, mPlane, bias, map, yVector);
                assertArrayEquals(yScalar, yVector, what + " output, map kind " + kind);
            }

            float[] dy = random(rnd, 2 * g.outH * g.outW * g.cout);
            float[] zScalar = new float[points * mPlane], zVector = new float[zScalar.length];
            SCALAR.transformOutputGradient(g, dy, t0, t1, zScalar, 0, mPlane);
            Kernels.WINOGRAD_LINE.transformOutputGradient(g, dy, t0, t1, zVector, 0, mPlane);
            for (int xi = 0; xi < points; xi++) assertEquals(0f, zScalar[xi * mPlane + mPlane - 1], what + " gap after plane " + xi);
            assertArrayEquals(zScalar, zVector, what + " output gradient");
            float[] du = random(rnd, points * g.cin * g.cout), dwScalar = new float[taps * g.cin * g.cout], dwVector = new float[dwScalar.length];
            SCALAR.transformKernelGradient(taps, du, g.cin, g.cout, 0, g.cin, dwScalar);
            Kernels.WINOGRAD_LINE.transformKernelGradient(taps, du, g.cin, g.cout, 0, g.cin, dwVector);
            assertArrayEquals(dwScalar, dwVector, what + " kernel gradient");
        }
    }

    /**
     * The kernel gradient against the exact sum {@code Σ x·dy} in double, within {@code 2⁻¹⁸ · S} (F(2, 7)) or
     * {@code 2⁻²¹ · S} (F(2, 3)), {@code S} the largest {@code Σ |x|·|dy|} among the r taps of the weight's channel
     * pair (as {@link WinogradLineConv#kernelGradient} states), both directions and paddings, cut tiles, channel tails,
     * and more tiles than one block; and the same bits at one thread and two.
     */
    @Test
    void kernelGradientMatchesExactSumWithinDocumentedTolerance() {
        Random rnd = new Random(37);
        for (int taps : TAPS) {
            double bound = taps == 7 ? 0x1p-18 : 0x1p-21;
            for (int[] s : SHAPES) checkKernelGradient(rnd, taps, bound, s, 3);
            checkKernelGradient(rnd, taps, bound, new int[] {17, 17, 20, 24, 1, 1}, 2); // 306 tiles: two blocks
            checkKernelGradient(rnd, taps, bound, new int[] {17, 17, 24, 20, 1, 0}, 2);
        }
        checkKernelGradient(rnd, 3, 0x1p-21, new int[] {8, 8, 384, 33, 1, 0}, 9); // InceptionV3's 1×3: 288 tiles, deep
        checkKernelGradient(rnd, 3, 0x1p-21, new int[] {8, 8, 33, 384, 1, 1}, 9);
    }

    private static void checkKernelGradient(Random rnd, int taps, double bound, int[] s, int batch) {
        WinogradLineConv g = geometry(taps, s);
        float[] x = random(rnd, batch * g.h * g.w * g.cin), dy = random(rnd, batch * g.outH * g.outW * g.cout);
        float[][] dw = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            dw[threads - 1] = random(rnd, taps * g.cin * g.cout); // overwritten
            g.kernelGradient(x, dy, batch, dw[threads - 1]);
        }
        assertArrayEquals(dw[0], dw[1], describe(taps, s) + ": 1 thread vs 2");
        double[] exact = new double[dw[0].length], sumAbs = new double[exact.length];
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int j = 0; j < taps; j++) {
                        int iy = oy - g.padTop + (g.vertical ? j : 0), ix = ox - g.padLeft + (g.vertical ? 0 : j);
                        if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                        for (int c = 0; c < g.cin; c++) {
                            double xv = x[((n * g.h + iy) * g.w + ix) * g.cin + c];
                            for (int o = 0; o < g.cout; o++) {
                                double p = xv * dy[((n * g.outH + oy) * g.outW + ox) * g.cout + o];
                                exact[(j * g.cin + c) * g.cout + o] += p;
                                sumAbs[(j * g.cin + c) * g.cout + o] += Math.abs(p);
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
            assertEquals(exact[i], dw[0][i], bound * widest[i % pair] + Math.ulp((float) exact[i]), describe(taps, s) + " dW at " + i);
        }
    }

    /** The scalar twin's transforms are the matrices the class comment states: V = Bᵀd, U = Gg, y = Aᵀm, one by one. */
    @Test
    void scalarTransformsAreTheStatedMatrices() {
        double[][] bt = {
            {1, 0, -5.25, 0, 5.25, 0, -1, 0}, {0, 1, 1, -4.25, -4.25, 1, 1, 0}, {0, -1, 1, 4.25, -4.25, -1, 1, 0},
            {0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0}, {0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0}, {0, 2, 4, -2.5, -5, 0.5, 1, 0},
            {0, -2, 4, 2.5, -5, -0.5, 1, 0}, {0, -1, 0, 5.25, 0, -5.25, 0, 1}};
        double[][] gm = {
            {1, 0, 0, 0, 0, 0, 0}, {-2 / 9., -2 / 9., -2 / 9., -2 / 9., -2 / 9., -2 / 9., -2 / 9.},
            {-2 / 9., 2 / 9., -2 / 9., 2 / 9., -2 / 9., 2 / 9., -2 / 9.},
            {1 / 90., 2 / 90., 4 / 90., 8 / 90., 16 / 90., 32 / 90., 64 / 90.},
            {1 / 90., -2 / 90., 4 / 90., -8 / 90., 16 / 90., -32 / 90., 64 / 90.},
            {64 / 90., 32 / 90., 16 / 90., 8 / 90., 4 / 90., 2 / 90., 1 / 90.},
            {64 / 90., -32 / 90., 16 / 90., -8 / 90., 4 / 90., -2 / 90., 1 / 90.}, {0, 0, 0, 0, 0, 0, 1}};
        double[][] at = {{1, 1, 1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0.5, -0.5, 1}};
        // One channel pair, one tile of a 1×8 row ('valid': 2 outputs): unit vectors pick out columns.
        WinogradLineConv g = new WinogradLineConv(7, false, 1, 8, 1, 1, 0, 0, 1, 2);
        for (int j = 0; j < 8; j++) {
            float[] x = new float[8], v = new float[8];
            x[j] = 1;
            WinogradLineScalar.inputChannels(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 0, 1, v, 0, 1);
            for (int xi = 0; xi < 8; xi++) assertEquals(bt[xi][j], v[xi], 0, "B^T[" + xi + "][" + j + "]");
            float[] y = new float[2];
            SCALAR.transformOutput(g, Arrays.copyOf(x, 8), 0, 1, 1, null, null, y);
            for (int s = 0; s < 2; s++) assertEquals(at[s][j], y[s], 0, "A^T[" + s + "][" + j + "]");
        }
        for (int k = 0; k < 7; k++) {
            float[] kernel = new float[7], u = new float[8];
            kernel[k] = 1;
            SCALAR.transformKernel(7, kernel, 1, 1, 0, 1, u);
            for (int xi = 0; xi < 8; xi++) assertEquals(gm[xi][k], u[xi], 2e-7 * Math.abs(gm[xi][k]), "G[" + xi + "][" + k + "]");
        }
    }

    /** F(2, 3)'s scalar transforms are the matrices {@link WinogradLineKernel} states, exactly (every coefficient is). */
    @Test
    void scalarTransformsOfF23AreTheStatedMatrices() {
        double[][] bt = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
        double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        double[][] at = {{1, 1, 1, 0}, {0, 1, -1, -1}};
        WinogradLineConv g = new WinogradLineConv(3, false, 1, 4, 1, 1, 0, 0, 1, 2);
        for (int j = 0; j < 4; j++) {
            float[] x = new float[4], v = new float[4];
            x[j] = 1;
            WinogradLineScalar.inputChannels3(x, new int[] {0, 1, 2, 3}, 0, 1, v, 0, 1);
            for (int xi = 0; xi < 4; xi++) assertEquals(bt[xi][j], v[xi], 0, "B^T[" + xi + "][" + j + "]");
            float[] y = new float[2];
            SCALAR.transformOutput(g, x.clone(), 0, 1, 1, null, null, y);
            for (int s = 0; s < 2; s++) assertEquals(at[s][j], y[s], 0, "A^T[" + s + "][" + j + "]");
        }
        for (int k = 0; k < 3; k++) {
            float[] kernel = new float[3], u = new float[4];
            kernel[k] = 1;
            SCALAR.transformKernel(3, kernel, 1, 1, 0, 1, u);
            for (int xi = 0; xi < 4; xi++) assertEquals(gm[xi][k], u[xi], 0, "G[" + xi + "][" + k + "]");
        }
    }

    @Test
    void convolutionMatchesDirectSumWithinDocumentedTolerance() {
        Random rnd = new Random(17);
        // F(2, 7)'s bound holds from MIN_CHANNELS input channels, the shapes the convolution is used for: with fewer, an
        // output sums few products and the transforms' rounding (coefficients up to 5.25 and 64/90) can exceed it.
        // F(2, 3)'s coefficients are exact, so it is held to the bound on every shape.
        for (int taps : TAPS) {
            for (int[] s : SHAPES) if (taps == 3 || s[2] >= WinogradLineConv.MIN_CHANNELS) checkAgainstDirect(rnd, taps, s, 3);
            // Wide channels: the GEMMs' sums are long and the kernel transform is parallel over input channels.
            checkAgainstDirect(rnd, taps, new int[] {9, 17, 300, 40, 1, 0}, 1);
            checkAgainstDirect(rnd, taps, new int[] {17, 9, 192, 48, 1, 1}, 1);
        }
        checkAgainstDirect(rnd, 3, new int[] {8, 8, 384, 33, 1, 0}, 3); // InceptionV3's 1×3 in a slice (Cout cut to 33)
        checkAgainstDirect(rnd, 3, new int[] {8, 8, 384, 33, 1, 1}, 3);
    }

    /**
     * What lets a trainable layer's training forward take F(2, 3) ({@link WinogradLineConv#exactTransforms}): on
     * InceptionV3's 1×3 shape (8×8, 384 input channels, Cout cut to 33, 3 images), with inputs in [−1, 1] and with
     * non-negative ones (after a ReLU), its error relative to {@code S = Σ|x|·|k|} is no larger than that of the direct
     * product, one float fma chain per output over the taps and channels in order — largest and root mean square.
     */
    @Test
    void f23RoundsNoMoreThanTheDirectProduct() {
        Random rnd = new Random(29);
        WinogradLineConv g = geometry(3, new int[] {8, 8, 384, 33, 1, 0});
        int batch = 3;
        for (boolean nonNegative : new boolean[] {false, true}) {
            float[] x = random(rnd, batch * g.h * g.w * g.cin), kernel = random(rnd, 3 * g.cin * g.cout);
            if (nonNegative) for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]);
            float[] winograd = new float[batch * g.outH * g.outW * g.cout], chain = new float[winograd.length];
            g.forward(x, batch, kernel, null, null, winograd);
            for (int n = 0; n < batch; n++) {
                for (int oy = 0; oy < g.outH; oy++) {
                    for (int ox = 0; ox < g.outW; ox++) {
                        for (int o = 0; o < g.cout; o++) {
                            float sum = 0;
                            for (int j = 0; j < 3; j++) {
                                int ix = ox - g.padLeft + j;
                                if (ix < 0 || ix >= g.w) continue;
                                for (int c = 0; c < g.cin; c++) {
                                    sum = Math.fma(x[((n * g.h + oy) * g.w + ix) * g.cin + c], kernel[(j * g.cin + c) * g.cout + o], sum);
                                }
                            }
                            chain[((n * g.outH + oy) * g.outW + ox) * g.cout + o] = sum;
                        }
                    }
                }
            }
            double[][] exact = direct(g, batch, x, kernel, new float[g.cout]);
            double maxW = 0, maxD = 0, sqW = 0, sqD = 0;
            for (int i = 0; i < winograd.length; i++) {
                double ew = Math.abs(winograd[i] - exact[0][i]) / exact[1][i], ed = Math.abs(chain[i] - exact[0][i]) / exact[1][i];
                maxW = Math.max(maxW, ew);
                maxD = Math.max(maxD, ed);
                sqW += ew * ew;
                sqD += ed * ed;
            }
            String what = nonNegative ? "non-negative inputs" : "inputs in [-1, 1]";
            assertTrue(maxW <= maxD, what + ": largest error " + maxW + " against the direct product's " + maxD);
            assertTrue(sqW <= sqD, what + ": mean square error " + sqW / winograd.length + " against " + sqD / winograd.length);
        }
    }

    /** Asserts each output of the whole convolution (with bias and a batch norm's affine map) against {@link #direct}. */
    private static void checkAgainstDirect(Random rnd, int taps, int[] s, int batch) {
        WinogradLineConv g = geometry(taps, s);
        float[] x = random(rnd, batch * g.h * g.w * g.cin), kernel = random(rnd, taps * g.cin * g.cout), bias = random(rnd, g.cout);
        ColumnMap map = GemmTest.map(rnd, g.cout, 2); // affine without a clip, so that no output escapes the comparison
        float[] y = new float[batch * g.outH * g.outW * g.cout];
        g.forward(x, batch, kernel, bias, map, y);
        double[][] exact = direct(g, batch, x, kernel, bias);
        for (int i = 0; i < y.length; i++) {
            int o = i % g.cout;
            double expected = map.apply((float) exact[0][i], o), bound = Math.abs(map.scale()[o]) * 0x1p-20 * exact[1][i];
            // The map's own float rounding of the exact value: a half ulp of the result, plus the bound's share.
            assertEquals(expected, y[i], bound + Math.ulp((float) expected), describe(taps, s) + " at " + i);
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(19);
        for (int taps : TAPS) for (boolean vertical : new boolean[] {false, true}) {
            int pad = (taps - 1) / 2;
            WinogradLineConv g = new WinogradLineConv(taps, vertical, 37, 29, 24, 40, vertical ? pad : 0, vertical ? 0 : pad, 37, 29);
            assertTrue(3 * g.tilesH * g.tilesW > 2 * g.blockTiles(), "several blocks of tiles");
            float[] x = random(rnd, 3 * g.h * g.w * g.cin), kernel = random(rnd, taps * g.cin * g.cout), bias = random(rnd, g.cout);
            ColumnMap map = GemmTest.map(rnd, g.cout, 3);
            float[][] results = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                results[threads - 1] = new float[3 * g.outH * g.outW * g.cout];
                g.forward(x, 3, kernel, bias, map, results[threads - 1]);
            }
            assertArrayEquals(results[0], results[1], vertical ? taps + "x1" : "1x" + taps);
        }
    }

    @Test
    void conv2dTakesWinogradInInferenceWhenFrozenAndForATrainableLayersGradients() {
        Random rnd = new Random(23);
        for (int[] window : new int[][] {{1, 7}, {7, 1}, {1, 3}, {3, 1}}) {
            for (Padding padding : Padding.values()) {
                int kh = window[0], kw = window[1], taps = Math.max(kh, kw);
                Conv2D conv = new Conv2D("conv", new Input("x", 9, 11, 17), 19, kh, kw, 1, 1, padding, true);
                GradCheck.randomizeWeights(conv, rnd, -1, 1);
                int batch = 8, oh = conv.outputShape()[0], ow = conv.outputShape()[1];
                String what = kh + "x" + kw + " " + padding;
                Tensor x = GradCheck.random(rnd, batch, 9, 11, 17);
                WinogradLineConv g = new WinogradLineConv(taps, kh > 1, 9, 11, 17, 19, padding.padBefore(9, kh, 1),
                        padding.padBefore(11, kw, 1), oh, ow);
                assertTrue(g.pays(batch), what + ": enough tiles");
                float[] expected = new float[batch * oh * ow * 19];
                g.forward(x.data, batch, conv.kernel.value.data, conv.bias.value.data, null, expected);

                assertArrayEquals(expected, LayerHarness.forward(conv, false, x).data, what + " inference");
                float[] training = LayerHarness.forward(conv, true, x).data;
                if (taps == 7) {
                    assertFalse(Arrays.equals(expected, training), what + ": a trainable F(2, 7) layer's training forward is the direct product");
                } else { // F(2, 3)'s coefficients are exact: a trainable layer's training forward takes it too
                    assertArrayEquals(expected, training, what + " trainable, training");
                }
                // A trainable layer's gradients, both tap counts: dW is the kernel gradient's, dX the Winograd forward of
                // dY with the kernel turned by 180° and its channels swapped (onto the harness's zero gradient).
                Tensor dy = GradCheck.random(rnd, batch, oh, ow, 19);
                float[] dx = LayerHarness.backward(conv, dy)[0].data, dw = new float[taps * 17 * 19];
                g.kernelGradient(x.data, dy.data, batch, dw);
                assertArrayEquals(dw, conv.kernel.grad.data, what + " dW");
                WinogradLineConv grad = new WinogradLineConv(taps, kh > 1, oh, ow, 19, 17, kh - 1 - g.padTop, kw - 1 - g.padLeft, 9, 11);
                assertTrue(grad.pays(batch), what + ": the input gradient's convolution pays");
                float[] flipped = new float[dw.length], expectedDx = new float[dx.length];
                for (int t = 0; t < taps; t++) {
                    for (int c = 0; c < 17; c++) {
                        for (int o = 0; o < 19; o++) flipped[(t * 19 + o) * 17 + c] = conv.kernel.value.data[((taps - 1 - t) * 17 + c) * 19 + o];
                    }
                }
                grad.forward(dy.data, batch, flipped, null, null, expectedDx);
                assertArrayEquals(expectedDx, dx, what + " dX");
                conv.setTrainable(false);
                assertArrayEquals(expected, LayerHarness.forward(conv, true, x).data, what + " frozen, training");
            }
        }
    }

    @Test
    void ruleTakesOnlyLinesOfSevenOrThreeStrideOneWithEnoughChannelsAndTiles() {
        assertTrue(WinogradLineConv.suits(1, 7, 1, 1, 128, 192));
        assertTrue(WinogradLineConv.suits(7, 1, 1, 1, 128, 192));
        assertTrue(WinogradLineConv.suits(1, 3, 1, 1, 128, 192));
        assertTrue(WinogradLineConv.suits(3, 1, 1, 1, 128, 192));
        assertFalse(WinogradLineConv.suits(3, 3, 1, 1, 128, 192));
        assertFalse(WinogradLineConv.suits(1, 5, 1, 1, 128, 192));
        assertFalse(WinogradLineConv.suits(1, 3, 1, 2, 128, 192));
        assertFalse(WinogradLineConv.suits(3, 1, 1, 1, WinogradLineConv.MIN_CHANNELS - 1, 192));
        assertFalse(WinogradLineConv.suits(1, 7, 1, 2, 128, 192));
        assertFalse(WinogradLineConv.suits(7, 1, 2, 1, 128, 192));
        assertFalse(WinogradLineConv.suits(1, 7, 1, 1, WinogradLineConv.MIN_CHANNELS - 1, 192));
        assertFalse(WinogradLineConv.suits(7, 1, 1, 1, 128, WinogradLineConv.MIN_CHANNELS - 1));
        WinogradLineConv sixBySix = new WinogradLineConv(7, true, 6, 6, 192, 192, 3, 0, 6, 6); // 3 × 6 tiles per image
        int fewest = (WinogradLineConv.MIN_TILES + 17) / 18;
        assertFalse(sixBySix.pays(fewest - 1));
        assertTrue(sixBySix.pays(fewest));
        assertTrue(new WinogradLineConv(7, false, 8, 8, 192, 192, 0, 3, 8, 8).pays(1), "an 8×8 map at batch 1");
        WinogradLineConv eightByEight3 = new WinogradLineConv(3, false, 8, 8, 384, 384, 0, 1, 8, 8); // 8 × 4 tiles per image
        assertFalse(eightByEight3.pays(2), "F(2, 3), an 8×8 map, 2 images");
        assertTrue(eightByEight3.pays(3), "F(2, 3), an 8×8 map, an inference slice of 3 images");
    }

    /**
     * Shape {@code s} = (h, w, Cin, Cout, same?, r×1?) as a geometry of {@code taps} = r taps: 'same' pads
     * {@code (r − 1) / 2} pixels before along the line.
     */
    private static WinogradLineConv geometry(int taps, int[] s) {
        int h = s[0], w = s[1], pad = s[4] == 1 ? (taps - 1) / 2 : 0;
        boolean vertical = s[5] == 1;
        int outH = vertical ? h - (taps - 1) + 2 * pad : h, outW = vertical ? w : w - (taps - 1) + 2 * pad;
        return new WinogradLineConv(taps, vertical, h, w, s[2], s[3], vertical ? pad : 0, vertical ? 0 : pad, outH, outW);
    }

    private static String describe(int taps, int[] s) {
        return s[0] + "x" + s[1] + " " + s[2] + "->" + s[3] + (s[5] == 1 ? " " + taps + "x1" : " 1x" + taps)
                + (s[4] == 1 ? " same" : " valid");
    }

    /** The exact convolution plus bias in double, and each output's sum of absolute products {@code S = Σ |x|·|k|}. */
    static double[][] direct(WinogradLineConv g, int batch, float[] x, float[] kernel, float[] bias) {
        double[] y = new double[batch * g.outH * g.outW * g.cout], abs = new double[y.length];
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int o = 0; o < g.cout; o++) {
                        double sum = bias[o], sumAbs = 0;
                        for (int j = 0; j < g.taps; j++) {
                            int iy = oy - g.padTop + (g.vertical ? j : 0), ix = ox - g.padLeft + (g.vertical ? 0 : j);
                            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                            for (int c = 0; c < g.cin; c++) {
                                double p = (double) x[((n * g.h + iy) * g.w + ix) * g.cin + c] * kernel[(j * g.cin + c) * g.cout + o];
                                sum += p;
                                sumAbs += Math.abs(p);
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
