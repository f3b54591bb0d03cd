package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Parallel;
import slice.engine.RestoresThreads;
import slice.engine.Tensor;
import slice.engine.kernels.WinogradConv;
import slice.engine.kernels.WinogradLineConv;

/** Conv2D against a direct double-precision convolution, forward and backward, plus gradient checks and thread invariance. */
@ExtendWith(RestoresThreads.class)
class Conv2DTest {
    private static final int[][] WINDOWS = {{1, 1}, {3, 3}, {5, 5}, {1, 7}, {7, 1}, {1, 3}, {3, 1}};
    private static final int[][] STRIDES = {{1, 1}, {2, 2}, {1, 2}, {2, 1}};
    private static final int[] CHANNELS = {1, 3, 5, 17};
    @Test
    void matchesDirectConvolutionForEveryWindowStrideAndPadding() {
        Random rnd = new Random(5);
        int[] heights = {7, 9, 8, 11}, widths = {9, 7, 10, 8};
        int config = 0;
        for (int[] window : WINDOWS) {
            for (int[] stride : STRIDES) {
                for (Padding padding : Padding.values()) {
                    int cin = CHANNELS[config % 4], cout = CHANNELS[(config / 4 + config) % 4] + (config % 3 == 0 ? 16 : 0);
                    int h = heights[config % 4], w = widths[(config / 4) % 4], n = config % 2 == 0 ? 1 : 3;
                    compareWithDirect(rnd, n, h, w, cin, cout, window[0], window[1], stride[0], stride[1], padding, config % 3 != 1);
                    config++;
                }
            }
        }
    }

    @Test
    void handlesTinyInputsAndWideChannels() {
        Random rnd = new Random(6);
        compareWithDirect(rnd, 3, 1, 1, 33, 17, 3, 3, 1, 1, Padding.SAME, true);   // every tap but the centre is padding
        compareWithDirect(rnd, 2, 1, 1, 5, 33, 1, 1, 1, 1, Padding.VALID, false);
        compareWithDirect(rnd, 2, 2, 3, 17, 33, 3, 3, 2, 2, Padding.SAME, true);   // 1×2 output, asymmetric padding
        compareWithDirect(rnd, 1, 35, 33, 3, 32, 3, 3, 2, 2, Padding.SAME, false);  // a stem: RGB window rows
        compareWithDirect(rnd, 2, 17, 17, 192, 7, 3, 3, 1, 1, Padding.SAME, true); // Kc = 1728: three column tiles
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        check(new Conv2D("c3x3", new Input("x1", 5, 6, 3), 4, 3, 3, 1, 1, Padding.SAME, true), 2);
        check(new Conv2D("c3x3_nobias", new Input("x2", 6, 5, 5), 3, 3, 3, 1, 1, Padding.VALID, false), 1);
        check(new Conv2D("c3x3_s2", new Input("x3", 7, 6, 3), 5, 3, 3, 2, 2, Padding.SAME, true), 2);
        check(new Conv2D("c1x7", new Input("x4", 4, 9, 2), 3, 1, 7, 1, 1, Padding.SAME, false), 2);
        check(new Conv2D("c7x1", new Input("x5", 9, 3, 2), 3, 7, 1, 1, 1, Padding.SAME, true), 1);
        check(new Conv2D("c1x1", new Input("x6", 3, 5, 7), 6, 1, 1, 1, 1, Padding.SAME, true), 3);
        check(new Conv2D("c1x1_s2", new Input("x7", 5, 5, 4), 3, 1, 1, 2, 2, Padding.VALID, false), 2);
        // Input gradients by Winograd: 4 images of 16 tiles (3×3), 2 images of 24 tiles (1×7); F(2, 3), the training
        // forward by Winograd too: 3 images of 32 tiles (1×3), 4 of 30 (3×1).
        check(new Conv2D("c3x3_winograd", new Input("x8", 8, 8, 16), 16, 3, 3, 1, 1, Padding.SAME, true), 4);
        check(new Conv2D("c1x7_winograd", new Input("x9", 6, 7, 16), 16, 1, 7, 1, 1, Padding.SAME, false), 2);
        check(new Conv2D("c1x3_winograd", new Input("x10", 8, 8, 16), 16, 1, 3, 1, 1, Padding.SAME, true), 3);
        check(new Conv2D("c3x1_winograd", new Input("x11", 9, 6, 16), 17, 3, 1, 1, 1, Padding.SAME, false), 4);
    }

    /**
     * A stride-1 3×3, 1×7, 7×1, 1×3 or 3×1 layer whose input gradient's convolution pays computes that gradient by Winograd: onto
     * a zero gradient, bit for bit the {@link WinogradConv} (or {@link WinogradLineConv}) forward of {@code dY} with the
     * kernel turned by 180° and its channels swapped; onto a non-zero one, within the bound those classes document of
     * the exact sum, {@code 2⁻²⁰ · S} with {@code S = Σ|dY|·|K|} over each input element's terms.
     */
    @ParameterizedTest
    @CsvSource({"3, 3, SAME", "3, 3, VALID", "1, 7, SAME", "7, 1, SAME", "7, 1, VALID", "1, 3, SAME", "1, 3, VALID", "3, 1, SAME"})
    void inputGradientByWinogradWithinItsDocumentedBound(int kh, int kw, Padding padding) {
        Random rnd = new Random(kh * 31 + kw + padding.ordinal());
        int n = 8, h = 9, w = 10, cin = 17, cout = 19;
        Conv2D conv = new Conv2D("conv", new Input("x", h, w, cin), cout, kh, kw, 1, 1, padding, true);
        GradCheck.randomizeWeights(conv, rnd, -1, 1);
        int oh = conv.outputShape()[0], ow = conv.outputShape()[1];
        int pt = padding.padBefore(h, kh, 1), pl = padding.padBefore(w, kw, 1);
        Tensor input = GradCheck.random(rnd, n, h, w, cin), dy = GradCheck.random(rnd, n, conv.outputShape());
        float[] k = conv.kernel.value.data, flipped = new float[k.length];
        int taps = kh * kw;
        for (int t = 0; t < taps; t++) {
            for (int c = 0; c < cin; c++) {
                for (int o = 0; o < cout; o++) flipped[(t * cout + o) * cin + c] = k[((taps - 1 - t) * cin + c) * cout + o];
            }
        }
        float[] expected = new float[n * h * w * cin];
        if (kh == 3 && kw == 3) {
            WinogradConv g = new WinogradConv(oh, ow, cout, cin, 2 - pt, 2 - pl, h, w);
            assertTrue(g.pays(n) && !g.pays(1), "the gradient's convolution pays for the batch, not for 1 image");
            g.forward(dy.data, n, flipped, null, null, expected);
        } else {
            WinogradLineConv g = new WinogradLineConv(taps, kh > 1, oh, ow, cout, cin, kh - 1 - pt, kw - 1 - pl, h, w);
            assertTrue(g.pays(n), "the gradient's convolution pays");
            g.forward(dy.data, n, flipped, null, null, expected);
        }
        LayerHarness.forward(conv, true, input);
        assertArrayEquals(expected, LayerHarness.backward(conv, dy)[0].data, "onto a zero gradient");

        LayerHarness.forward(conv, true, input);
        Tensor prior = GradCheck.random(rnd, n, h, w, cin), dx = LayerHarness.lastNode(conv).inGrad(0);
        System.arraycopy(prior.data, 0, dx.data, 0, prior.size());
        LayerHarness.backward(conv, dy);
        double[] exact = new double[dx.size()], sumAbs = new double[dx.size()];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int t = 0; t < taps; t++) {
                        int iy = oy - pt + t / kw, ix = ox - pl + t % kw;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                        for (int c = 0; c < cin; c++) {
                            int xi = ((b * h + iy) * w + ix) * cin + c;
                            for (int o = 0; o < cout; o++) {
                                double p = (double) dy.data[((b * oh + oy) * ow + ox) * cout + o] * k[(t * cin + c) * cout + o];
                                exact[xi] += p;
                                sumAbs[xi] += Math.abs(p);
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < exact.length; i++) {
            float e = (float) (prior.data[i] + exact[i]);
            assertEquals(e, dx.data[i], 0x1p-20 * sumAbs[i] + Math.ulp(e), kh + "x" + kw + " " + padding + " dX at " + i);
        }
    }

    private static void check(Conv2D conv, int n) {
        GradCheck.randomizeWeights(conv, new Random(conv.name.hashCode()), -1, 1);
        GradCheck.check(conv, n, true, 42, 1e-2, 1e-2, 60);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        for (int[] window : new int[][] {{1, 1}, {3, 3}}) {
            float[][][] runs = new float[2][][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                Random rnd = new Random(9);
                Input x = new Input("x", 21, 19, 24);
                Conv2D conv = new Conv2D("conv", x, 40, window[0], window[1], 1, 1, Padding.SAME, true);
                GradCheck.randomizeWeights(conv, rnd, -1, 1);
                Tensor y = LayerHarness.forward(conv, true, GradCheck.random(rnd, 3, 21, 19, 24)).copy();
                Tensor[] dx = LayerHarness.backward(conv, GradCheck.random(rnd, 3, conv.outputShape()));
                runs[threads - 1] = new float[][] {y.data, dx[0].data, conv.kernel.grad.data.clone(), conv.bias.grad.data.clone()};
            }
            for (int i = 0; i < 4; i++) assertArrayEquals(runs[0][i], runs[1][i], "window " + window[0] + "x" + window[1] + ", result " + i);
        }
    }

    @Test
    void frozenLayerLeavesParametersAndNullInputGradientIsSkipped() {
        Random rnd = new Random(4);
        Input x = new Input("x", 5, 5, 3);
        Conv2D conv = new Conv2D("frozen", x, 4, 3, 3, 1, 1, Padding.SAME, true);
        GradCheck.randomizeWeights(conv, rnd, -1, 1);
        conv.setTrainable(false);
        LayerHarness.forward(conv, true, GradCheck.random(rnd, 2, 5, 5, 3));
        conv.kernel.grad.data[0] = 7f;
        Tensor[] dx = LayerHarness.backward(conv, GradCheck.random(rnd, 2, conv.outputShape()));
        assertEquals(7f, conv.kernel.grad.data[0]);
        double dxNorm = 0;
        for (float v : dx[0].data) dxNorm += Math.abs(v);
        assertTrue(dxNorm > 0, "the input gradient still flows through a frozen layer");

        conv.setTrainable(true);
        Tensor input = GradCheck.random(rnd, 2, 5, 5, 3), dy = GradCheck.random(rnd, 2, conv.outputShape());
        LayerHarness.forward(conv, true, input);
        LayerHarness.backward(conv, dy);
        float[] dw = conv.kernel.grad.data.clone();
        LayerHarness.backwardWithoutInputGradient(conv, input, dy);
        assertArrayEquals(dw, conv.kernel.grad.data);
    }

    /**
     * Runs forward and backward (onto a non-zero input gradient, which must be added to) and compares with
     * {@link #direct} in double precision.
     */
    private static void compareWithDirect(Random rnd, int n, int h, int w, int cin, int cout, int kh, int kw,
                                          int sh, int sw, Padding padding, boolean useBias) {
        Input x = new Input("x", h, w, cin);
        Conv2D conv = new Conv2D("conv", x, cout, kh, kw, sh, sw, padding, useBias);
        GradCheck.randomizeWeights(conv, rnd, -1, 1);
        Tensor input = GradCheck.random(rnd, n, h, w, cin);
        Tensor y = LayerHarness.forward(conv, true, input);
        Tensor dy = GradCheck.random(rnd, n, conv.outputShape());
        Tensor prior = GradCheck.random(rnd, n, h, w, cin);
        Tensor dx = LayerHarness.lastNode(conv).inGrad(0);
        System.arraycopy(prior.data, 0, dx.data, 0, prior.size());
        LayerHarness.backward(conv, dy);

        double[][] ref = direct(conv, input, dy, n);
        String what = kh + "x" + kw + " stride " + sh + "," + sw + " " + padding + " n=" + n + " " + h + "x" + w + " " + cin + "->" + cout;
        assertClose(ref[0], y.data, null, what + " forward");
        assertClose(ref[1], dx.data, prior.data, what + " dX");
        assertClose(ref[2], conv.kernel.grad.data, null, what + " dW");
        if (useBias) assertClose(ref[3], conv.bias.grad.data, null, what + " db");
    }

    private static void assertClose(double[] expected, float[] actual, float[] base, String what) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i] + (base == null ? 0 : base[i]);
            assertEquals(e, actual[i], 1e-4 * Math.max(1, Math.abs(e)), what + " at " + i);
        }
    }

    /** Direct convolution and its gradients in double: {y, dX, dW, db}. */
    private static double[][] direct(Conv2D c, Tensor x, Tensor dy, int n) {
        int h = x.dim(1), w = x.dim(2), ho = c.outputShape()[0], wo = c.outputShape()[1];
        int pt = c.padding.padBefore(h, c.kh, c.strideH), pl = c.padding.padBefore(w, c.kw, c.strideW);
        double[] y = new double[n * ho * wo * c.cout], dx = new double[x.size()];
        double[] dw = new double[c.kernel.value.size()], db = new double[c.cout];
        float[] k = c.kernel.value.data;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    int yo = ((b * ho + oy) * wo + ox) * c.cout;
                    for (int o = 0; o < c.cout; o++) {
                        double s = c.bias == null ? 0 : c.bias.value.data[o];
                        double g = dy.data[yo + o];
                        db[o] += g;
                        for (int ky = 0; ky < c.kh; ky++) {
                            for (int kx = 0; kx < c.kw; kx++) {
                                int iy = oy * c.strideH - pt + ky, ix = ox * c.strideW - pl + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                for (int ci = 0; ci < c.cin; ci++) {
                                    int xi = ((b * h + iy) * w + ix) * c.cin + ci, ki = ((ky * c.kw + kx) * c.cin + ci) * c.cout + o;
                                    s += (double) x.data[xi] * k[ki];
                                    dx[xi] += g * k[ki];
                                    dw[ki] += g * x.data[xi];
                                }
                            }
                        }
                        y[yo + o] = s;
                    }
                }
            }
        }
        return new double[][] {y, dx, dw, db};
    }
}
