package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static slice.engine.layers.BatchNormTest.concat;
import static slice.engine.layers.BatchNormTest.randoms;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Simd;
import slice.engine.Tensor;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.DepthwiseKernel;
import slice.engine.kernels.DepthwiseScalar;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.WindowGeometry;

/** Depthwise convolution: a hand example, gradient checks, vector = scalar on tail shapes, thread independence. */
class DepthwiseConv2DTest {
    private static DepthwiseConv2D layer(int h, int w, int c, int kh, int kw, int stride, Padding padding, boolean bias, long seed) {
        DepthwiseConv2D dw = new DepthwiseConv2D("dw", new Input("x", h, w, c), kh, kw, stride, padding, bias);
        GradCheck.randomizeWeights(dw, new Random(seed), -1f, 1f);
        return dw;
    }

    @Test
    void sameCornersSeeOnlyRealPixels() {
        DepthwiseConv2D dw = layer(3, 3, 2, 3, 3, 1, Padding.SAME, true, 1);
        Arrays.fill(dw.kernel.value.data, 1f);
        dw.bias.value.data[0] = 0.5f;
        dw.bias.value.data[1] = 0f;
        float[] x = new float[18];
        for (int i = 0; i < 9; i++) {
            x[2 * i] = i + 1; // channel 0: 1..9
            x[2 * i + 1] = 1f; // channel 1: ones count the taps
        }
        Tensor y = LayerHarness.forward(dw, false, Tensor.wrap(x, 1, 3, 3, 2));
        // channel 0: corner (0,0) = 1+2+4+5 + 0.5; centre = 45 + 0.5; channel 1: taps inside the image
        assertArrayEquals(new float[] {12.5f, 4, 21.5f, 6, 16.5f, 4, 27.5f, 6, 45.5f, 9, 33.5f, 6, 24.5f, 4, 39.5f, 6, 28.5f, 4}, y.data);
        // stride 2 SAME on 3×3: out 2×2, total padding 2 split 1 before, 1 after
        DepthwiseConv2D s2 = layer(3, 3, 2, 3, 3, 2, Padding.SAME, false, 1);
        Arrays.fill(s2.kernel.value.data, 1f);
        assertArrayEquals(new float[] {12, 4, 16, 4, 24, 4, 28, 4}, LayerHarness.forward(s2, false, Tensor.wrap(x, 1, 3, 3, 2)).data);
    }

    /**
     * With nothing fused the layer hands its kernel a pass-through map, not none: the output is still the kernel's
     * unmapped sums bit for bit, −0 and NaN included, through the vector path and the scalar channel tail.
     */
    @Test
    void withNothingFusedTheOutputIsTheUnmappedSums() {
        for (int channels : new int[] {3, 2 * Simd.FLOAT_LANES + 3}) {
            for (int stride = 1; stride <= 2; stride++) {
                DepthwiseConv2D dw = layer(9, 10, channels, 3, 3, stride, Padding.SAME, true, 21);
                float[] x = randoms(new Random(22), 2 * 9 * 10 * channels);
                // the first two rows −0, the kernel positive, a −0 bias in even channels: outputs of −0 at the top
                Arrays.fill(x, 0, 2 * 10 * channels, -0f);
                float[] k = dw.kernel.value.data;
                for (int i = 0; i < k.length; i++) k[i] = Math.abs(k[i]);
                for (int c = 0; c < channels; c += 2) dw.bias.value.data[c] = -0f;
                x[5 * 10 * channels + 4 * channels] = Float.NaN;
                Tensor y = LayerHarness.forward(dw, true, Tensor.wrap(x, 2, 9, 10, channels));
                float[] expected = new float[y.data.length];
                int outH = dw.outputShape()[0];
                WindowGeometry g = new WindowGeometry(9, 10, channels, 3, 3, stride, Padding.SAME.padBefore(9, 3, stride),
                        Padding.SAME.padBefore(10, 3, stride), outH, dw.outputShape()[1]);
                Kernels.DEPTHWISE.forward(g, x, dw.kernel.value.data, dw.bias.value.data, null, expected, 0, 2 * outH);
                assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(expected[0]), "a −0 output");
                assertArrayEquals(expected, y.data, "channels " + channels + ", stride " + stride);
            }
        }
    }

    @Test
    void gradientsForStridesPaddingsBiasAndKernelSizes() {
        GradCheck.check(layer(5, 7, 5, 3, 3, 1, Padding.SAME, true, 2), 2, true, 3, 1e-2, 1e-3, 50);
        GradCheck.check(layer(5, 7, 17, 3, 3, 2, Padding.SAME, false, 4), 2, true, 5, 1e-2, 1e-3, 50);
        GradCheck.check(layer(7, 6, 3, 3, 3, 2, Padding.VALID, true, 6), 1, true, 7, 1e-2, 1e-3, 50);
        GradCheck.check(layer(6, 5, 3, 3, 3, 1, Padding.VALID, false, 8), 3, true, 9, 1e-2, 1e-3, 50);
        GradCheck.check(layer(6, 7, 3, 5, 3, 2, Padding.SAME, true, 10), 2, true, 11, 1e-2, 1e-3, 50);
        GradCheck.check(layer(1, 1, 33, 3, 3, 2, Padding.SAME, true, 12), 3, true, 13, 1e-2, 1e-3, 50);
    }

    @Test
    void vectorKernelMatchesScalarTwinBitForBit() {
        DepthwiseKernel scalar = new DepthwiseScalar(), vector = Kernels.DEPTHWISE;
        Random rnd = new Random(14);
        int[][] kernels = {{3, 3}, {5, 5}, {1, 3}, {3, 1}};
        int[][] sizes = {{7, 5}, {1, 1}, {2, 3}, {9, 8}, {5, 19}};
        for (int channels : new int[] {1, 3, 5, 17, 33, 67}) {
            for (int[] size : sizes) {
                for (int[] k : kernels) {
                    for (int stride = 1; stride <= 2; stride++) {
                        for (Padding padding : Padding.values()) {
                            if (padding == Padding.VALID && (size[0] < k[0] || size[1] < k[1])) continue;
                            int n = (channels + stride) % 2 == 0 ? 1 : 3;
                            compare(scalar, vector, rnd, n, size[0], size[1], channels, k[0], k[1], stride, padding);
                        }
                    }
                }
            }
        }
    }

    /**
     * The windows a depthwise convolution reads through a zero padding with: its own padding plus the padding layer's
     * ({@code top}, {@code left}; bottom and right rows only change the output size). Keras' stride-2 blocks pad
     * {@code ((0, 1), (0, 1))} or {@code ((1, 1), (1, 1))} for a 'valid' window; an asymmetric one on top of 'same'
     * too. Odd channel counts put the scalar tail beside 1 to 4 vectors at 128 bits, 0 to 1 at 512.
     */
    @Test
    void vectorKernelMatchesScalarTwinReadingThroughPaddings() {
        DepthwiseKernel scalar = new DepthwiseScalar(), vector = Kernels.DEPTHWISE;
        Random rnd = new Random(19);
        int[][] pads = {{0, 1, 0, 1}, {1, 1, 1, 1}, {2, 0, 1, 3}}; // top, bottom, left, right
        int[][] sizes = {{9, 11}, {6, 7}, {14, 13}};
        for (int channels : new int[] {5, 7, 19}) {
            for (int[] size : sizes) {
                for (int[] pad : pads) {
                    for (int stride = 1; stride <= 2; stride++) {
                        for (Padding padding : Padding.values()) {
                            int ph = size[0] + pad[0] + pad[1], pw = size[1] + pad[2] + pad[3];
                            int oh = padding.outSize(ph, 3, stride), ow = padding.outSize(pw, 3, stride);
                            WindowGeometry g = new WindowGeometry(size[0], size[1], channels, 3, 3, stride,
                                    padding.padBefore(ph, 3, stride) + pad[0], padding.padBefore(pw, 3, stride) + pad[2], oh, ow);
                            compare(scalar, vector, rnd, 2, g);
                        }
                    }
                }
            }
        }
    }

    private static void compare(DepthwiseKernel scalar, DepthwiseKernel vector, Random rnd, int n, int h, int w, int c,
                                int kh, int kw, int stride, Padding padding) {
        int oh = padding.outSize(h, kh, stride), ow = padding.outSize(w, kw, stride);
        compare(scalar, vector, rnd, n, new WindowGeometry(h, w, c, kh, kw, stride, padding.padBefore(h, kh, stride),
                padding.padBefore(w, kw, stride), oh, ow));
    }

    private static void compare(DepthwiseKernel scalar, DepthwiseKernel vector, Random rnd, int n, WindowGeometry g) {
        int h = g.h, w = g.w, c = g.channels, kh = g.kh, kw = g.kw, stride = g.stride, oh = g.outH, ow = g.outW;
        float[] x = randoms(rnd, n * h * w * c), k = randoms(rnd, kh * kw * c), b = randoms(rnd, c);
        float[] dy = randoms(rnd, n * oh * ow * c), dx0 = randoms(rnd, x.length);
        // A folded batch norm + ReLU6, and a plain ReLU without affine step (the two kinds of inference epilogue).
        ColumnMap bnRelu6 = new ColumnMap(randoms(rnd, c), randoms(rnd, c), 0f, 6f);
        ColumnMap relu = new ColumnMap(null, null, 0f, Float.POSITIVE_INFINITY);
        float[][] results = new float[2][];
        int i = 0;
        for (DepthwiseKernel kernel : new DepthwiseKernel[] {scalar, vector}) {
            float[] y = new float[dy.length], yNoBias = new float[dy.length], dx = dx0.clone();
            float[] yBnRelu6 = new float[dy.length], yRelu = new float[dy.length];
            // stale values in the kernel-gradient arrays: backwardKernel overwrites them
            float[] dk = k.clone(), db = b.clone(), dkNoBias = k.clone();
            kernel.forward(g, x, k, b, null, y, 0, n * oh);
            kernel.forward(g, x, k, null, null, yNoBias, 0, n * oh);
            kernel.forward(g, x, k, b, bnRelu6, yBnRelu6, 0, n * oh);
            kernel.forward(g, x, k, null, relu, yRelu, 0, n * oh);
            for (int j = 0; j < y.length; j++) { // the map is applied to the finished sum, nothing else
                assertEquals(bnRelu6.apply(y[j], j % c), yBnRelu6[j], "mapped output " + j);
                assertEquals(relu.apply(yNoBias[j], j % c), yRelu[j], "mapped output " + j);
            }
            kernel.backwardInput(g, dy, k, dx, 0, n * h);
            kernel.backwardKernel(g, x, dy, 0, n * oh, dk, db);
            kernel.backwardKernel(g, x, dy, (n * oh) / 2, n * oh, dkNoBias, null);
            results[i++] = concat(y, yNoBias, yBnRelu6, yRelu, dx, dk, db, dkNoBias);
        }
        assertArrayEquals(results[0], results[1], String.format("n %d, %dx%dx%d, kernel %dx%d, stride %d, pads %d %d, out %dx%d, %s",
                n, h, w, c, kh, kw, stride, g.padTop, g.padLeft, oh, ow, Simd.describe()));
    }

    /**
     * The kernel gradient sums bands of {@link DepthwiseConv2D#KERNEL_GRADIENT_ROWS} output rows, then the bands in
     * order (here 3 images × 17 rows: 7 bands). Against double-precision sums, each within
     * {@code 1e-5 · Σ|terms|} (float rounding of these sums is a few {@code 1e-7} of it).
     */
    @Test
    void kernelGradientMatchesDoubleSumsOverManyBands() {
        int n = 3, h = 17, w = 19, c = 37;
        DepthwiseConv2D dw = layer(h, w, c, 3, 3, 1, Padding.SAME, true, 17);
        Random rnd = new Random(18);
        Tensor x = GradCheck.random(rnd, n, h, w, c), dy = GradCheck.random(rnd, n, h, w, c);
        LayerHarness.forward(dw, true, x);
        LayerHarness.backward(dw, dy);
        for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0, magnitude = 0, biasSum = 0, biasMagnitude = 0;
                    for (int b = 0; b < n; b++) {
                        for (int oy = 0; oy < h; oy++) {
                            for (int ox = 0; ox < w; ox++) {
                                double g = dy.data[((b * h + oy) * w + ox) * c + ch];
                                biasSum += g;
                                biasMagnitude += Math.abs(g);
                                int iy = oy - 1 + ky, ix = ox - 1 + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                double term = g * x.data[((b * h + iy) * w + ix) * c + ch];
                                sum += term;
                                magnitude += Math.abs(term);
                            }
                        }
                    }
                    assertEquals(sum, dw.kernel.grad.data[(ky * 3 + kx) * c + ch], 1e-5 * magnitude, "dK " + ky + "," + kx + "," + ch);
                    if (ky == 0 && kx == 0) assertEquals(biasSum, dw.bias.grad.data[ch], 1e-5 * biasMagnitude, "db " + ch);
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        LayerHarness.assertSameForAnyThreadCount(() -> {
            DepthwiseConv2D dw = layer(15, 13, 70, 3, 3, 2, Padding.SAME, true, 15);
            Random rnd = new Random(16);
            Tensor y = LayerHarness.forward(dw, true, GradCheck.random(rnd, 3, 15, 13, 70));
            Tensor dx = LayerHarness.backward(dw, GradCheck.random(rnd, 3, 8, 7, 70))[0];
            return concat(y.data, dx.data, dw.kernel.grad.data, dw.bias.grad.data);
        });
    }
}
