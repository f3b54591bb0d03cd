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
 * The Winograd F(2×2, 5×5) convolution of 5×5 kernels: the scalar transforms against the matrices
 * {@link Winograd5x5Kernel} states, the vector transforms against their scalar twin bit for bit on shapes that hit the
 * channel tails and the cut tiles of odd outputs, and the whole convolution against a direct double-precision sum
 * within the bound {@link Winograd5x5Conv} documents, at any thread count.
 */
@ExtendWith(RestoresThreads.class)
class Winograd5x5Test {
    /** (h, w, Cin, Cout, padding 'same'?): odd and even sizes, channels below, at and past L = 4, 8 and 16. */
    private static final int[][] SHAPES = {
        {5, 9, 5, 7, 1}, {9, 5, 5, 7, 0}, {6, 11, 3, 17, 1}, {11, 6, 17, 3, 1}, {4, 17, 16, 33, 1}, {17, 6, 33, 16, 0},
        {7, 13, 37, 19, 1}, {8, 8, 20, 9, 0}, {1, 1, 12, 20, 1}, {10, 7, 19, 37, 1}, {6, 6, 16, 16, 0}};
    private static final Winograd5x5Kernel SCALAR = new Winograd5x5Scalar();

    @Test
    void vectorKernelIsSelected() {
        if (Simd.ENABLED) assertNotSame(Winograd5x5Scalar.class, Kernels.WINOGRAD_5X5.getClass());
    }

    @Test
    void vectorTransformsMatchScalarTwinBitForBit() {
        Random rnd = new Random(41);
        for (int[] s : SHAPES) {
            Winograd5x5Conv g = geometry(s);
            String what = describe(s);
            float[] kernel = random(rnd, 25 * g.cin * g.cout);
            float[] uScalar = new float[36 * g.cin * g.cout], uVector = new float[uScalar.length];
            SCALAR.transformKernel(kernel, g.cin, g.cout, 0, g.cin, uScalar);
            Kernels.WINOGRAD_5X5.transformKernel(kernel, g.cin, g.cout, 0, g.cin, uVector);
            assertArrayEquals(uScalar, uVector, what + " kernel");

            // A block of tiles that starts past tile 0 and ends before the last, so offsets into V and M count.
            int tiles = 2 * g.tilesH * g.tilesW, t0 = tiles / 3, t1 = Math.max(t0 + 1, tiles - 1);
            float[] x = random(rnd, 2 * g.h * g.w * g.cin);
            // Planes a few floats apart beyond their size; the gaps must stay untouched (zero).
            int vPlane = (t1 - t0) * g.cin + 3, mPlane = (t1 - t0) * g.cout + 5;
            float[] vScalar = new float[36 * vPlane], vVector = new float[vScalar.length];
            SCALAR.transformInput(g, x, t0, t1, vScalar, 0, vPlane);
            Kernels.WINOGRAD_5X5.transformInput(g, x, t0, t1, vVector, 0, vPlane);
            for (int xi = 0; xi < 36; xi++) assertEquals(0f, vScalar[xi * vPlane + vPlane - 1], what + " gap after plane " + xi);
            assertArrayEquals(vScalar, vVector, what + " input");

            float[] m = random(rnd, 36 * mPlane), y0 = random(rnd, 2 * g.outH * g.outW * g.cout);
            for (int kind = 0; kind < 4; kind++) {
                float[] bias = kind % 2 == 0 ? null : random(rnd, g.cout);
                ColumnMap map = GemmTest.map(rnd, g.cout, kind);
                float[] yScalar = y0.clone(), yVector = y0.clone();
                SCALAR.transformOutput(g, m, t0, t1, mPlane, bias, map, yScalar);
                Kernels.WINOGRAD_5X5.transformOutput(g, m, t0, t1, mPlane, bias, map, yVector);
                assertArrayEquals(yScalar, yVector, what + " output, map kind " + kind);
            }
        }
    }

    /**
     * The scalar twin's transforms are the stated matrices, exactly: a unit input pixel {@code (i, j)} gives
     * {@code V[6a + b] = Bᵀ[a][i]·Bᵀ[b][j]}, a unit {@code M} at {@code (i, j)} gives {@code Y[r][s] = Aᵀ[r][i]·Aᵀ[s][j]}
     * (small integers: exact), and a unit tap {@code (ky, kx)} gives {@code U[6a + b] = G[a][ky]·G[b][kx]}, each factor
     * rounded to float and their product rounded once (the powers of two beside −1/6 and 1/24 are exact).
     */
    @Test
    void scalarTransformsAreTheStatedMatrices() {
        double[][] bt = {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0}, {0, -2, -1, 2, 1, 0},
            {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
        double[][] gm = {{1 / 4., 0, 0, 0, 0}, {-1 / 6., -1 / 6., -1 / 6., -1 / 6., -1 / 6.}, {-1 / 6., 1 / 6., -1 / 6., 1 / 6., -1 / 6.},
            {1 / 24., 1 / 12., 1 / 6., 1 / 3., 2 / 3.}, {1 / 24., -1 / 12., 1 / 6., -1 / 3., 2 / 3.}, {0, 0, 0, 0, 1}};
        double[][] at = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 1}};
        // One channel pair, one tile of a 6×6 image ('valid': 2×2 outputs): unit vectors pick out columns.
        Winograd5x5Conv g = new Winograd5x5Conv(6, 6, 1, 1, 0, 0, 2, 2);
        int[] offsets = new int[36];
        g.inputOffsets(0, offsets);
        for (int p = 0; p < 36; p++) {
            int i = p / 6, j = p % 6;
            float[] x = new float[36], v = new float[36];
            x[p] = 1;
            Winograd5x5Scalar.inputChannels(x, offsets, 0, 1, v, 0, 1);
            for (int xi = 0; xi < 36; xi++) {
                assertEquals(bt[xi / 6][i] * bt[xi % 6][j], v[xi], 0, "B^T d B at " + xi + " for pixel " + p);
            }
            float[] y = new float[4];
            SCALAR.transformOutput(g, x.clone(), 0, 1, 1, null, null, y);
            for (int q = 0; q < 4; q++) assertEquals(at[q / 2][i] * at[q % 2][j], y[q], 0, "A^T M A at " + q + " for " + p);
        }
        for (int k = 0; k < 25; k++) {
            int ky = k / 5, kx = k % 5;
            float[] kernel = new float[25], u = new float[36];
            kernel[k] = 1;
            SCALAR.transformKernel(kernel, 1, 1, 0, 1, u);
            for (int xi = 0; xi < 36; xi++) {
                float expected = (float) gm[xi / 6][ky] * (float) gm[xi % 6][kx];
                assertEquals(expected, u[xi], 0, "G g G^T at " + xi + " for tap " + k);
            }
        }
    }

    /**
     * Every shape, with bias and a batch norm's affine map, within {@code 2⁻¹⁹ · S} (measured up to {@code 1.66 · 2⁻²⁰ · S},
     * {@link Winograd5x5Conv} says where); wide channels; and InceptionV3's shape.
     */
    @Test
    void convolutionMatchesDirectSumWithinDocumentedTolerance() {
        Random rnd = new Random(43);
        for (int[] s : SHAPES) checkAgainstDirect(rnd, s, 3);
        // Wide channels: the GEMMs' sums are long and the kernel transform is parallel over input channels.
        checkAgainstDirect(rnd, new int[] {9, 11, 300, 40, 1}, 1);
        checkAgainstDirect(rnd, new int[] {35, 35, 48, 64, 1}, 1); // InceptionV3's 5×5 layers
    }

    /** Asserts each output of the whole convolution (with bias and a batch norm's affine map) against {@link #direct}. */
    private static void checkAgainstDirect(Random rnd, int[] s, int batch) {
        Winograd5x5Conv g = geometry(s);
        float[] x = random(rnd, batch * g.h * g.w * g.cin), kernel = random(rnd, 25 * g.cin * g.cout), bias = random(rnd, g.cout);
        ColumnMap map = GemmTest.map(rnd, g.cout, 2); // affine without a clip, so that no output escapes the comparison
        float[] y = new float[batch * g.outH * g.outW * g.cout];
        g.forward(x, batch, kernel, bias, map, y);
        double[][] exact = direct(g, batch, x, kernel, bias);
        for (int i = 0; i < y.length; i++) {
            int o = i % g.cout;
            double expected = map.apply((float) exact[0][i], o), bound = Math.abs(map.scale()[o]) * 0x1p-19 * exact[1][i];
            // The map's own float rounding of the exact value: a half ulp of the result, plus the bound's share.
            assertEquals(expected, y[i], bound + Math.ulp((float) expected), describe(s) + " at " + i);
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(47);
        Winograd5x5Conv g = new Winograd5x5Conv(35, 35, 24, 40, 2, 2, 35, 35);
        int tiles = g.tilesH * g.tilesW;
        assertTrue(tiles > 2 * g.blockTiles(), "several blocks of tiles");
        // two threads cut the tiles into blocks of another size: both the split and the tiling are compared
        assertTrue(WinogradBlocks.evenBlockTiles(tiles, g.blockTiles(), 2) != g.blockTiles(), "other blocks on two threads");
        float[] x = random(rnd, g.h * g.w * g.cin), kernel = random(rnd, 25 * g.cin * g.cout), bias = random(rnd, g.cout);
        ColumnMap map = GemmTest.map(rnd, g.cout, 3);
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            results[threads - 1] = new float[g.outH * g.outW * g.cout];
            g.forward(x, 1, kernel, bias, map, results[threads - 1]);
        }
        assertArrayEquals(results[0], results[1]);
    }

    /**
     * In inference and when frozen, Conv2D's 5×5 forward is this convolution; a trainable layer's training forward and
     * its gradients are the direct products, the same as those of a layer too small for Winograd (one image at a time).
     */
    @Test
    void conv2dTakesWinogradInInferenceAndWhenFrozen() {
        Random rnd = new Random(53);
        int h = 19, w = 17, cin = 17, cout = 19, batch = 6;
        for (Padding padding : Padding.values()) {
            Conv2D conv = new Conv2D("conv", new Input("x", h, w, cin), cout, 5, 5, 1, 1, padding, true);
            GradCheck.randomizeWeights(conv, rnd, -1, 1);
            int oh = conv.outputShape()[0], ow = conv.outputShape()[1];
            Tensor x = GradCheck.random(rnd, batch, h, w, cin);
            Winograd5x5Conv g = new Winograd5x5Conv(h, w, cin, cout, padding.padBefore(h, 5, 1), padding.padBefore(w, 5, 1), oh, ow);
            assertTrue(g.pays(batch), padding + ": enough tiles");
            assertFalse(g.pays(1), padding + ": too few tiles in one image");
            float[] expected = new float[batch * oh * ow * cout];
            g.forward(x.data, batch, conv.kernel.value.data, conv.bias.value.data, null, expected);

            assertArrayEquals(expected, LayerHarness.forward(conv, false, x).data, padding + " inference");
            float[] direct = LayerHarness.forward(conv, true, x).data;
            assertFalse(Arrays.equals(expected, direct), padding + ": a trainable layer's training forward is the direct product");
            Tensor dy = GradCheck.random(rnd, batch, oh, ow, cout);
            Tensor dx = LayerHarness.backward(conv, dy)[0];
            float[] dw = conv.kernel.grad.data.clone();
            Conv2D perImage = new Conv2D("conv", new Input("x", h, w, cin), cout, 5, 5, 1, 1, padding, true);
            System.arraycopy(conv.kernel.value.data, 0, perImage.kernel.value.data, 0, dw.length);
            System.arraycopy(conv.bias.value.data, 0, perImage.bias.value.data, 0, cout);
            double[] dwSum = new double[dw.length];
            for (int n = 0; n < batch; n++) { // dX, which is per image, compared exactly; the kernel gradient, summed
                // over the batch in another order, within a float rounding of the sum
                Tensor xn = slice(x, n), dyn = slice(dy, n);
                float[] yn = LayerHarness.forward(perImage, true, xn).data;
                assertArrayEquals(yn, Arrays.copyOfRange(direct, n * yn.length, (n + 1) * yn.length), padding + " y image " + n);
                float[] dxn = LayerHarness.backward(perImage, dyn)[0].data;
                assertArrayEquals(dxn, Arrays.copyOfRange(dx.data, n * dxn.length, (n + 1) * dxn.length), padding + " dX image " + n);
                for (int i = 0; i < dw.length; i++) dwSum[i] += perImage.kernel.grad.data[i];
            }
            double largest = Arrays.stream(dwSum).map(Math::abs).max().orElseThrow();
            for (int i = 0; i < dw.length; i++) assertEquals(dwSum[i], dw[i], 1e-5 * largest, padding + " dW " + i);
            conv.setTrainable(false);
            assertArrayEquals(expected, LayerHarness.forward(conv, true, x).data, padding + " frozen, training");
        }
    }

    @Test
    void ruleTakesOnlyFiveByFiveStrideOneWithEnoughChannelsAndTiles() {
        assertTrue(Winograd5x5Conv.suits(5, 5, 1, 1, 48, 64));
        assertFalse(Winograd5x5Conv.suits(5, 5, 2, 2, 48, 64));
        assertFalse(Winograd5x5Conv.suits(5, 5, 1, 2, 48, 64));
        assertFalse(Winograd5x5Conv.suits(3, 3, 1, 1, 48, 64));
        assertFalse(Winograd5x5Conv.suits(1, 5, 1, 1, 48, 64));
        assertFalse(Winograd5x5Conv.suits(5, 5, 1, 1, Winograd5x5Conv.MIN_CHANNELS - 1, 64));
        assertFalse(Winograd5x5Conv.suits(5, 5, 1, 1, 48, Winograd5x5Conv.MIN_CHANNELS - 1));
        assertFalse(WinogradConv.suits(5, 5, 1, 1, 48, 64));
        assertFalse(WinogradLineConv.suits(5, 5, 1, 1, 48, 64));
        Winograd5x5Conv inception = new Winograd5x5Conv(35, 35, 48, 64, 2, 2, 35, 35); // 18 × 18 tiles per image
        assertTrue(inception.pays(1), "a 35×35 map at batch 1");
        Winograd5x5Conv small = new Winograd5x5Conv(17, 17, 48, 64, 2, 2, 17, 17); // 9 × 9 tiles per image
        int fewest = (Winograd5x5Conv.MIN_TILES + 80) / 81;
        assertFalse(small.pays(fewest - 1));
        assertTrue(small.pays(fewest));
    }

    /** Shape {@code s} = (h, w, Cin, Cout, same?) as a geometry: 'same' pads 2 pixels before. */
    private static Winograd5x5Conv geometry(int[] s) {
        int h = s[0], w = s[1], pad = s[4] == 1 ? 2 : 0;
        return new Winograd5x5Conv(h, w, s[2], s[3], pad, pad, h - 4 + 2 * pad, w - 4 + 2 * pad);
    }

    private static String describe(int[] s) {
        return s[0] + "x" + s[1] + " " + s[2] + "->" + s[3] + (s[4] == 1 ? " same" : " valid");
    }

    /** Image {@code n} of a batch, as a batch of one. */
    private static Tensor slice(Tensor t, int n) {
        int[] shape = t.shape().clone();
        int size = t.data.length / shape[0];
        shape[0] = 1;
        Tensor one = new Tensor(shape);
        System.arraycopy(t.data, n * size, one.data, 0, size);
        return one;
    }

    /** The exact convolution plus bias in double, and each output's sum of absolute products {@code S = Σ |x|·|k|}. */
    private static double[][] direct(Winograd5x5Conv g, int batch, float[] x, float[] kernel, float[] bias) {
        double[] y = new double[batch * g.outH * g.outW * g.cout], abs = new double[y.length];
        double[] sum = new double[g.cout], sumAbs = new double[g.cout];
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++) {
                    for (int o = 0; o < g.cout; o++) {
                        sum[o] = bias[o];
                        sumAbs[o] = 0;
                    }
                    for (int ky = 0; ky < 5; ky++) {
                        for (int kx = 0; kx < 5; kx++) {
                            int iy = oy - g.padTop + ky, ix = ox - g.padLeft + kx;
                            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                            for (int c = 0; c < g.cin; c++) {
                                double xv = x[((n * g.h + iy) * g.w + ix) * g.cin + c];
                                int k = ((5 * ky + kx) * g.cin + c) * g.cout;
                                for (int o = 0; o < g.cout; o++) {
                                    double p = xv * kernel[k + o];
                                    sum[o] += p;
                                    sumAbs[o] += Math.abs(p);
                                }
                            }
                        }
                    }
                    int i = ((n * g.outH + oy) * g.outW + ox) * g.cout;
                    System.arraycopy(sum, 0, y, i, g.cout);
                    System.arraycopy(sumAbs, 0, abs, i, g.cout);
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
