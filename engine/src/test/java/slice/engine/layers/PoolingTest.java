package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static slice.engine.layers.BatchNormTest.concat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.LayerHarness;
import slice.engine.Tensor;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.PoolScalar;
import slice.engine.kernels.WindowGeometry;

/** Max and average pooling: TensorFlow SAME semantics by hand, tie rule, gradient checks, thread independence. */
class PoolingTest {
    private static final float[] ONE_TO_NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    @Test
    void sameAveragePoolCountsOnlyRealCells() {
        AveragePooling2D avg = new AveragePooling2D("avg", new Input("x", 3, 3, 1), 3, 1, Padding.SAME);
        Tensor y = LayerHarness.forward(avg, false, Tensor.wrap(ONE_TO_NINE, 1, 3, 3, 1));
        // corner (1+2+4+5)/4, edge (1+2+3+4+5+6)/6, centre 45/9
        assertArrayEquals(new float[] {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}, y.data);
        Tensor dx = LayerHarness.backward(avg, Tensor.wrap(new float[] {4, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 3, 3, 1))[0];
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0, 0, 0, 0}, dx.data, "the corner's gradient is shared by its 4 real cells");
    }

    @Test
    void sameMaxPoolNeverPicksPaddingAndTiesGoToTheFirstCell() {
        MaxPooling2D max = new MaxPooling2D("max", new Input("x", 3, 3, 1), 2, 2, Padding.SAME);
        float[] negative = new float[9];
        for (int i = 0; i < 9; i++) negative[i] = -ONE_TO_NINE[i];
        // out 2×2; padding (0 before, 1 after): the last window holds only x[2,2] = −9, never the padded zeros
        assertArrayEquals(new float[] {-1, -3, -7, -9}, LayerHarness.forward(max, false, Tensor.wrap(negative, 1, 3, 3, 1)).data);

        MaxPooling2D ties = new MaxPooling2D("ties", new Input("t", 2, 2, 2), 2, 2, Padding.VALID);
        LayerHarness.forward(ties, false, Tensor.wrap(new float[] {5, 1, 5, 2, 5, 2, 5, 0}, 1, 2, 2, 2));
        Tensor dx = LayerHarness.backward(ties, Tensor.wrap(new float[] {10, 20}, 1, 1, 1, 2))[0];
        assertArrayEquals(new float[] {10, 0, 0, 20, 0, 0, 0, 0}, dx.data);
    }

    @Test
    void gradients() {
        GradCheck.check(new MaxPooling2D("m1", new Input("a", 7, 5, 3), 3, 2, Padding.SAME), 2, true, 1, 1e-4, 1e-2, 60);
        GradCheck.check(new MaxPooling2D("m2", new Input("b", 7, 7, 5), 3, 2, Padding.VALID), 1, true, 2, 1e-4, 1e-2, 60);
        GradCheck.check(new AveragePooling2D("a1", new Input("c", 7, 5, 3), 3, 1, Padding.SAME), 2, true, 3, 1e-2, 1e-3, 60);
        GradCheck.check(new AveragePooling2D("a2", new Input("d", 5, 7, 17), 3, 2, Padding.SAME), 3, true, 4, 1e-2, 1e-3, 60);
        GradCheck.check(new AveragePooling2D("a3", new Input("e", 6, 5, 2), 2, 2, Padding.VALID), 1, true, 5, 1e-2, 1e-3, 60);
    }

    @Test
    void vectorKernelMatchesScalarTwinBitForBit() {
        PoolKernel scalar = new PoolScalar(), vector = Kernels.POOL;
        Random rnd = new Random(7);
        for (int channels : new int[] {1, 3, 5, 17, 33, 69, 85}) {
            for (int[] size : new int[][] {{7, 5}, {1, 1}, {2, 3}, {9, 8}}) {
                for (int pool = 2; pool <= 3; pool++) {
                    for (int stride = 1; stride <= 2; stride++) {
                        for (Padding padding : Padding.values()) {
                            if (padding == Padding.VALID && (size[0] < pool || size[1] < pool)) continue;
                            int n = (channels + pool) % 2 == 0 ? 1 : 3;
                            int oh = padding.outSize(size[0], pool, stride), ow = padding.outSize(size[1], pool, stride);
                            WindowGeometry g = MaxPooling2D.windowOf(new int[] {size[0], size[1], channels}, new int[] {oh, ow, channels}, pool, stride, padding);
                            float[] x = BatchNormTest.randoms(rnd, n * size[0] * size[1] * channels);
                            for (int i = 0; i < x.length; i++) { // ties, signed zeros, −∞ and NaN
                                if (i % 5 == 0) x[i] = 0.5f;
                                if (i % 13 == 1) x[i] = -0f;
                                if (i % 13 == 2) x[i] = 0f;
                                if (i % 17 == 3) x[i] = Float.NEGATIVE_INFINITY;
                                if (i % 37 == 4) x[i] = Float.NaN;
                            }
                            float[] dy = BatchNormTest.randoms(rnd, n * oh * ow * channels), dx0 = BatchNormTest.randoms(rnd, x.length);
                            float[] inv = BatchNormTest.randoms(rnd, oh * ow);
                            float[][] results = new float[2][];
                            int k = 0;
                            for (PoolKernel kernel : new PoolKernel[] {scalar, vector}) {
                                float[] yMax = new float[dy.length], yAvg = new float[dy.length], dx = dx0.clone(), dxMax = dx0.clone();
                                float[] winners = new float[dy.length], yMaxOnly = new float[dy.length];
                                kernel.maxForward(g, x, yMax, winners, 0, n * oh);
                                kernel.maxForward(g, x, yMaxOnly, null, 0, n * oh);
                                assertArrayEquals(yMax, yMaxOnly, "keeping the winners changes no output");
                                kernel.avgForward(g, x, inv, yAvg, 0, n * oh);
                                kernel.avgBackward(g, dy, inv, dx, 0, n * size[0]);
                                for (int image = 0; image < n; image++) {
                                    // an odd split of the channels: vector runs and scalar tails on both sides
                                    kernel.maxBackward(g, winners, dy, dxMax, image, 0, channels / 3);
                                    kernel.maxBackward(g, winners, dy, dxMax, image, channels / 3, channels);
                                }
                                assertArrayEquals(rescanned(g, x, yMax, dy, dx0, n), dxMax, "winners kept vs found again, n " + n + ", "
                                        + Arrays.toString(size) + "x" + channels + ", pool " + pool + ", stride " + stride + ", " + padding);
                                results[k++] = concat(yMax, winners, yAvg, dx, dxMax);
                            }
                            String what = String.format("n %d, %dx%dx%d, pool %d, stride %d, %s", n, size[0], size[1], channels, pool, stride, padding);
                            assertArrayEquals(results[0], results[1], what);
                        }
                    }
                }
            }
        }
    }

    /**
     * The max-pool gradient by the tie rule itself: {@code dx0} plus each output's gradient, in output order, at the
     * first real window cell (ky, kx order) equal to the output, or the first cell when none is (NaN).
     */
    private static float[] rescanned(WindowGeometry g, float[] x, float[] y, float[] dy, float[] dx0, int n) {
        float[] dx = dx0.clone();
        int c = g.channels;
        int[] cells = new int[g.kh * g.kw];
        for (int r = 0; r < n * g.outH; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                int taps = g.windowCells(r, ox, cells), o = (r * g.outW + ox) * c;
                for (int ch = 0; ch < c; ch++) {
                    int winner = cells[0] + ch;
                    for (int t = taps - 1; t >= 0; t--) if (x[cells[t] + ch] == y[o + ch]) winner = cells[t] + ch;
                    dx[winner] += dy[o + ch];
                }
            }
        }
        return dx;
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        LayerHarness.assertSameForAnyThreadCount(() -> {
            Random rnd = new Random(6);
            MaxPooling2D max = new MaxPooling2D("max", new Input("x", 17, 17, 33), 3, 2, Padding.VALID);
            AveragePooling2D avg = new AveragePooling2D("avg", new Input("y", 17, 17, 33), 3, 1, Padding.SAME);
            Tensor x = GradCheck.random(rnd, 3, 17, 17, 33);
            Tensor yMax = LayerHarness.forward(max, true, x).copy(), yAvg = LayerHarness.forward(avg, true, x).copy();
            Tensor dxMax = LayerHarness.backward(max, GradCheck.random(rnd, 3, 8, 8, 33))[0];
            Tensor dxAvg = LayerHarness.backward(avg, GradCheck.random(rnd, 3, 17, 17, 33))[0];
            return concat(yMax.data, yAvg.data, dxMax.data, dxAvg.data);
        });
    }

    /** A spatial layer given a vector (or any input not {@code [H, W, C]}) fails in one line naming it and its input. */
    @Test
    void spatialLayersRefuseAnInputThatIsNotAnImage() {
        Input vector = new Input("features", 64), plane = new Input("plane", 8, 8);
        assertEquals("gap needs an [H, W, C] input, got [64] from features", assertThrows(IllegalArgumentException.class,
                () -> new GlobalAveragePooling2D("gap", vector)).getMessage());
        for (Layer in : new Layer[] {vector, plane}) {
            assertThrows(IllegalArgumentException.class, () -> new MaxPooling2D("max", in, 2, 2, Padding.VALID));
            assertThrows(IllegalArgumentException.class, () -> new AveragePooling2D("avg", in, 2, 2, Padding.VALID));
            assertThrows(IllegalArgumentException.class, () -> new ZeroPadding2D("pad", in, 1, 1, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> new DepthwiseConv2D("dw", in, 3, 3, 1, Padding.SAME, false));
        }
        assertEquals("max needs an [H, W, C] input, got [8, 8] from plane", assertThrows(IllegalArgumentException.class,
                () -> new MaxPooling2D("max", plane, 2, 2, Padding.VALID)).getMessage());
    }
}
