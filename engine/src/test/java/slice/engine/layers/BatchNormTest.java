package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Node;
import slice.engine.Simd;
import slice.engine.Tensor;
import slice.engine.kernels.BatchNormKernel;
import slice.engine.kernels.BatchNormKernel.ReluGate;
import slice.engine.kernels.BatchNormScalar;
import slice.engine.kernels.Kernels;

/**
 * Batch norm: Keras numbers by hand, gradient checks in both modes, vector = scalar, thread-count independence; with a
 * ReLU fused after it, the numbers of the two layers run one after the other.
 */
class BatchNormTest {
    private static BatchNorm layer(String name, int[] shape, boolean scale, long seed) {
        BatchNorm bn = new BatchNorm(name, new Input(name + "_in", shape), scale, 1e-3f, 0.99f);
        GradCheck.randomizeWeights(bn, new Random(seed), 0.5f, 1.5f); // positive moving variance
        return bn;
    }

    @Test
    void trainingNormalisesWithBatchStatisticsAndUpdatesMovingAveragesWithMomentum() {
        BatchNorm bn = new BatchNorm("bn", new Input("x", 1), true, 1e-3f, 0.9f);
        bn.gamma.value.data[0] = 2f;
        bn.beta.value.data[0] = 0.5f;
        Tensor y = LayerHarness.forward(bn, true, Tensor.wrap(new float[] {1, 2, 3, 4}, 4, 1));
        // batch mean 2.5, biased variance 1.25; moving = 0.9·moving + 0.1·batch from (0, 1)
        assertEquals(0.25f, bn.movingMean.value.data[0], 1e-7f);
        assertEquals(1.025f, bn.movingVariance.value.data[0], 1e-6f);
        double sigma = Math.sqrt(1.25 + 1e-3);
        for (int i = 0; i < 4; i++) assertEquals(2 * (i + 1 - 2.5) / sigma + 0.5, y.data[i], 1e-6);

        // inference: the moving statistics, unchanged by the call
        float movingMean = bn.movingMean.value.data[0];
        y = LayerHarness.forward(bn, false, Tensor.wrap(new float[] {1, 2, 3, 4}, 4, 1));
        assertEquals(movingMean, bn.movingMean.value.data[0]);
        for (int i = 0; i < 4; i++) assertEquals(2 * (i + 1 - 0.25) / Math.sqrt(1.025 + 1e-3) + 0.5, y.data[i], 1e-6);

        // frozen: training calls run in inference mode and leave the statistics alone
        bn.setTrainable(false);
        Tensor frozen = LayerHarness.forward(bn, true, Tensor.wrap(new float[] {1, 2, 3, 4}, 4, 1));
        assertArrayEquals(y.data, frozen.data);
        assertEquals(movingMean, bn.movingMean.value.data[0]);
    }

    /**
     * Batch statistics against double precision on data far from zero (100 + U(−1, 1), where Σx² − (Σx)²/P would
     * lose the variance): 3 × 13 × 11 = 429 pixels (two blocks, the second partial) and a MobileNetV2 stem's batch,
     * 32 × 112 × 112 = 401 408 pixels (1568 blocks). The mean within 1e-6 of itself, the variance within 1e-5.
     */
    @Test
    void batchStatisticsMatchDoublePrecisionOnOffsetData() {
        assertMomentsMatchDouble(3, 13, 11, 5);
        assertMomentsMatchDouble(32, 112, 112, 2);
    }

    private static void assertMomentsMatchDouble(int n, int h, int w, int channels) {
        int pixels = n * h * w;
        BatchNorm bn = layer("bn_moments", new int[] {h, w, channels}, true, 21);
        Tensor x = GradCheck.random(new Random(22), n, h, w, channels);
        for (int i = 0; i < x.size(); i++) x.data[i] += 100f;
        LayerHarness.forward(bn, true, x);
        float[] mean = new float[channels], variance = new float[channels];
        bn.lastBatchStatistics(LayerHarness.lastNode(bn), mean, variance);
        for (int c = 0; c < channels; c++) {
            double m = 0, v = 0;
            for (int p = 0; p < pixels; p++) m += x.data[p * channels + c];
            m /= pixels;
            for (int p = 0; p < pixels; p++) v += (x.data[p * channels + c] - m) * (x.data[p * channels + c] - m);
            v /= pixels;
            assertEquals(m, mean[c], 1e-6 * m, pixels + " pixels, mean " + c);
            assertEquals(v, variance[c], 1e-5 * v, pixels + " pixels, variance " + c);
        }
    }

    @Test
    void inferenceBackwardIsExactlyTheAffineMap() {
        BatchNorm bn = layer("bn_inf", new int[] {3, 5, 17}, true, 1);
        Random rnd = new Random(2);
        Tensor x = GradCheck.random(rnd, 2, 3, 5, 17);
        Tensor y = LayerHarness.forward(bn, false, x);
        Tensor dy = GradCheck.random(rnd, 2, 3, 5, 17);
        Tensor dx = LayerHarness.backward(bn, dy)[0];
        for (int i = 0; i < x.size(); i++) {
            int c = i % 17;
            float s = bn.gamma.value.data[c] * (float) (1 / Math.sqrt(bn.movingVariance.value.data[c] + 1e-3));
            float t = bn.beta.value.data[c] - bn.movingMean.value.data[c] * s;
            assertEquals(Math.fma(x.data[i], s, t), y.data[i], "forward is x·s + t");
            assertEquals(s * dy.data[i], dx.data[i], "backward is s·dy");
        }
    }

    @Test
    void gradientsInBothModesWithAndWithoutGamma() {
        for (boolean scale : new boolean[] {true, false}) {
            GradCheck.check(layer("bn4", new int[] {3, 5, 7}, scale, 3), 2, false, 4, 1e-2, 1e-3, 60);
            GradCheck.check(layer("bn4t", new int[] {3, 5, 7}, scale, 5), 2, true, 6, 1e-2, 1e-2, 60);
            GradCheck.check(layer("bn2", new int[] {33}, scale, 7), 3, false, 8, 1e-2, 1e-3, 60);
            GradCheck.check(layer("bn2t", new int[] {5}, scale, 9), 6, true, 10, 1e-2, 1e-2, 60);
            // 286 pixels: two blocks of partial sums
            GradCheck.check(layer("bn_blocks", new int[] {13, 11, 3}, scale, 11), 2, true, 12, 1e-2, 1e-2, 60);
        }
    }

    /** {@link #layer} with β shifted to [−0.5, 0.5): the normalised values fall on both sides of a ReLU's kinks. */
    private static BatchNorm centredLayer(String name, int[] shape, boolean scale, long seed) {
        BatchNorm bn = layer(name, shape, scale, seed);
        for (int c = 0; c < bn.channels; c++) bn.beta.value.data[c] -= 1f;
        return bn;
    }

    @Test
    void fusedReluGradientsInBothModesWithAndWithoutGamma() {
        for (boolean scale : new boolean[] {true, false}) {
            for (float max : new float[] {1f, Float.POSITIVE_INFINITY}) {
                BatchNorm bn = centredLayer("bnr", new int[] {3, 5, 7}, scale, 21);
                GradCheck.check(bn, new ReLU("bnr_relu", bn, max), 2, true, 22, 1e-3, 1e-2, 60);
                bn = centredLayer("bnr_inf", new int[] {3, 5, 7}, scale, 23);
                GradCheck.check(bn, new ReLU("bnr_inf_relu", bn, max), 2, false, 24, 1e-3, 1e-2, 60);
                // 286 pixels: two blocks of partial sums
                bn = centredLayer("bnr_blocks", new int[] {13, 11, 3}, scale, 25);
                GradCheck.check(bn, new ReLU("bnr_blocks_relu", bn, max), 2, true, 26, 1e-3, 1e-2, 60);
            }
        }
    }

    /**
     * A batch norm with its ReLU fused gives exactly what the two layers give run one after the other (tolerance 0),
     * in both modes and for caps reached often, rarely and never: output, ∂L/∂x, ∂L/∂γ, ∂L/∂β, moving statistics.
     * In inference mode channel 0 hits both kinks exactly ({@code x·s + t} = 0 and = the cap), where the ReLU passes
     * no gradient.
     */
    @Test
    void fusedReluEqualsTheTwoLayersOneAfterTheOther() {
        int[] shape = {5, 3, 19};
        for (boolean training : new boolean[] {true, false}) {
            for (float cap : new float[] {6f, 0.5f, Float.POSITIVE_INFINITY, 0f}) {
                BatchNorm alone = centredLayer("bn_alone", shape, true, 31), fused = centredLayer("bn_fused", shape, true, 31);
                Random rnd = new Random(32);
                Tensor x = GradCheck.random(rnd, 2, shape), dy = GradCheck.random(rnd, 2, shape);
                float max = cap;
                if (cap == 0f) { // the kinks of channel 0 exactly: β = mean = 0, so x·s + t = x·s, and the cap is 0.75·s
                    for (BatchNorm bn : new BatchNorm[] {alone, fused}) {
                        bn.beta.value.data[0] = 0f;
                        bn.movingMean.value.data[0] = 0f;
                    }
                    float s = alone.gamma.value.data[0] * (float) (1 / Math.sqrt(alone.movingVariance.value.data[0] + (double) 1e-3f));
                    max = Math.fma(0.75f, s, 0f);
                    for (int i = 0; i < x.size(); i += 19 * 3) x.data[i] = 0f;
                    for (int i = 19; i < x.size(); i += 19 * 3) x.data[i] = 0.75f;
                }
                ReLU relu = new ReLU("relu_alone", alone, max);
                Node norm = Node.detached(alone, x);
                alone.forward(norm, training);
                Node rectifier = Node.detached(relu, new Tensor[] {norm.out()}, new Tensor[] {norm.grad()});
                relu.forward(rectifier, training);
                System.arraycopy(dy.data, 0, rectifier.grad().data, 0, dy.size());
                relu.backward(rectifier);
                alone.backward(norm);

                Node both = Node.detachedWith(fused, new ReLU("relu_fused", fused, max), new Tensor[] {x},
                        new Tensor[] {new Tensor(x.shape())});
                fused.forward(both, training);
                System.arraycopy(dy.data, 0, both.grad().data, 0, dy.size());
                fused.backward(both);
                String what = (training ? "training" : "inference") + ", cap " + max;
                assertArrayEquals(rectifier.out().data, both.out().data, 0f, what);
                assertArrayEquals(norm.inGrad(0).data, both.inGrad(0).data, 0f, what);
                assertArrayEquals(alone.gamma.grad.data, fused.gamma.grad.data, 0f, what);
                assertArrayEquals(alone.beta.grad.data, fused.beta.grad.data, 0f, what);
                assertArrayEquals(alone.movingMean.value.data, fused.movingMean.value.data, 0f, what);
                assertArrayEquals(alone.movingVariance.value.data, fused.movingVariance.value.data, 0f, what);
                if (cap == 0f) {
                    for (int i = 0; i < x.size(); i += 19) {
                        if (x.data[i] == 0f || x.data[i] == 0.75f) {
                            assertEquals(x.data[i] == 0f ? 0f : max, both.out().data[i], what);
                            assertEquals(0f, rectifier.inGrad(0).data[i], what + ": no gradient at a kink");
                        }
                    }
                }
            }
        }
    }

    @Test
    void fusedReluKernelsMatchScalarTwinBitForBit() {
        assertVectorMatchesScalarTwin(41, (kernel, rnd, pixels, channels) -> {
            float[] x = randoms(rnd, pixels * channels), dy = randoms(rnd, pixels * channels);
            float[] s = randoms(rnd, channels), t = randoms(rnd, channels), m = randoms(rnd, channels);
            float[] a = randoms(rnd, channels), b = randoms(rnd, channels), k = randoms(rnd, channels);
            for (int c = 0; c < channels; c += 2) t[c] = 0f; // x = 0 there lands exactly on the kink at 0
            for (int i = 0; i < x.length; i += 5) x[i] = 0f;
            float[] y = new float[pixels * channels], yCapped = new float[pixels * channels];
            float[] dx = dy.clone(), dx2 = x.clone(), overwritten = x.clone(), overwritten2 = dy.clone();
            float[] g = a.clone(), gx = b.clone();
            ReluGate gate = new ReluGate(s, t, 0.4f), open = new ReluGate(s, t, Float.POSITIVE_INFINITY);
            kernel.affineRelu(x, y, 1 % pixels, pixels, channels, s, t, Float.POSITIVE_INFINITY);
            kernel.affineRelu(x, yCapped, 0, pixels, channels, s, t, 0.4f);
            kernel.gatedScaledGradient(dy, x, dx, 0, pixels, channels, a, gate, true);
            kernel.gatedScaledGradient(dy, x, overwritten, 1 % pixels, pixels, channels, a, open, false);
            kernel.gatedNormalizedGradient(dy, x, dx2, 0, 0, pixels, channels, m, a, b, k, gate, true);
            kernel.gatedNormalizedGradient(dy, x, overwritten2, 0, 0, pixels, channels, m, a, b, k, open, false);
            float[] band = shiftedRows(pixels, channels, (from, out) ->
                    kernel.gatedNormalizedGradient(dy, x, out, 3, from, pixels, channels, m, a, b, k, open, false), overwritten2);
            kernel.gatedGradientSums(dy, x, 0, pixels, channels, m, gate, g, gx);
            return concat(y, yCapped, dx, dx2, overwritten, overwritten2, band, g, gx);
        });
    }

    @Test
    void vectorKernelMatchesScalarTwinBitForBit() {
        assertVectorMatchesScalarTwin(11, (kernel, rnd, pixels, channels) -> {
            float[] x = randoms(rnd, pixels * channels), dy = randoms(rnd, pixels * channels);
            float[] s = randoms(rnd, channels), t = randoms(rnd, channels), m = randoms(rnd, channels);
            float[] a = randoms(rnd, channels), b = randoms(rnd, channels), k = randoms(rnd, channels);
            float[] y = new float[pixels * channels], dx = dy.clone(), dx2 = x.clone();
            float[] sum = s.clone(), sq = t.clone(), g = a.clone(), gx = b.clone();
            kernel.affine(x, y, 1, pixels, channels, s, t);
            float[] overwritten = x.clone(), overwritten2 = dy.clone();
            kernel.scaledGradient(dy, dx, 0, pixels, channels, s, true);
            kernel.normalizedGradient(dy, x, dx2, 0, 0, pixels, channels, m, a, b, k, true);
            kernel.scaledGradient(dy, overwritten, 1 % pixels, pixels, channels, s, false);
            kernel.normalizedGradient(dy, x, overwritten2, 0, 0, pixels, channels, m, a, b, k, false);
            float[] band = shiftedRows(pixels, channels, (from, out) ->
                    kernel.normalizedGradient(dy, x, out, 3, from, pixels, channels, m, a, b, k, false), overwritten2);
            kernel.sum(x, 0, pixels, channels, sum);
            kernel.centredSquares(x, 1 % pixels, pixels, channels, m, sq);
            kernel.gradientSums(dy, x, 0, pixels, channels, m, g, gx);
            return concat(y, dx, dx2, sum, sq, g, gx, overwritten, overwritten2, band);
        });
    }

    /** Writes rows of a normalised gradient into a buffer of their own, starting at index 3. */
    interface RowsInto {
        void write(int from, float[] out);
    }

    /**
     * The rows after the first (all rows of a single pixel) written by {@code rows} at index 3 of a buffer of their
     * own, asserted equal to the same rows written in place ({@code inPlace}); returns that buffer.
     */
    private static float[] shiftedRows(int pixels, int channels, RowsInto rows, float[] inPlace) {
        int from = 1 % pixels;
        float[] out = new float[3 + (pixels - from) * channels];
        rows.write(from, out);
        assertArrayEquals(Arrays.copyOfRange(inPlace, from * channels, pixels * channels), Arrays.copyOfRange(out, 3, out.length), 0f);
        return out;
    }

    /** What one check of a batch-norm kernel computes: its outputs, on inputs drawn from {@code inputs}. */
    interface KernelCheck {
        float[] run(BatchNormKernel kernel, Random inputs, int pixels, int channels);
    }

    /**
     * Asserts that {@code check} gives bit-identical outputs with {@link BatchNormScalar} and {@link Kernels#BATCH_NORM}
     * on channel counts around the vector widths and pixel counts 1, 7 and 45; both kernels get the same inputs (a
     * generator seeded alike), drawn afresh for each shape from {@code seed}.
     */
    static void assertVectorMatchesScalarTwin(long seed, KernelCheck check) {
        Random seeds = new Random(seed);
        for (int channels : new int[] {1, 3, 5, 17, 33, 67}) {
            for (int pixels : new int[] {1, 7, 45}) {
                long inputs = seeds.nextLong();
                assertArrayEquals(check.run(new BatchNormScalar(), new Random(inputs), pixels, channels),
                        check.run(Kernels.BATCH_NORM, new Random(inputs), pixels, channels),
                        "channels " + channels + ", pixels " + pixels + ", " + Simd.describe());
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        LayerHarness.assertSameForAnyThreadCount(() -> {
            BatchNorm bn = layer("bn_threads", new int[] {19, 21, 37}, true, 12);
            Random rnd = new Random(13);
            Tensor y = LayerHarness.forward(bn, true, GradCheck.random(rnd, 3, 19, 21, 37));
            Tensor dx = LayerHarness.backward(bn, GradCheck.random(rnd, 3, 19, 21, 37))[0];
            return concat(y.data, dx.data, bn.gamma.grad.data, bn.beta.grad.data, bn.movingMean.value.data, bn.movingVariance.value.data);
        });
    }

    static float[] randoms(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, o, p.length);
            o += p.length;
        }
        return all;
    }
}
