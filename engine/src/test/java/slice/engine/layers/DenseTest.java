package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Parallel;
import slice.engine.RestoresThreads;
import slice.engine.Tensor;

/** Dense against a double-precision reference, gradient checks, and thread invariance. */
@ExtendWith(RestoresThreads.class)
class DenseTest {
    @Test
    void matchesReferenceOnOddShapes() {
        Random rnd = new Random(2);
        int[][] shapes = {{1, 1, 1}, {3, 5, 17}, {5, 33, 3}, {17, 1280, 7}, {2, 17, 33}};
        for (int[] s : shapes) {
            int n = s[0], in = s[1], units = s[2];
            Input x = new Input("x", in);
            Dense dense = new Dense("dense", x, units, n % 2 == 1);
            GradCheck.randomizeWeights(dense, rnd, -1, 1);
            Tensor input = GradCheck.random(rnd, n, in);
            Tensor y = LayerHarness.forward(dense, true, input);
            Tensor dy = GradCheck.random(rnd, n, units);
            Tensor prior = GradCheck.random(rnd, n, in);
            Tensor dx = LayerHarness.lastNode(dense).inGrad(0);
            System.arraycopy(prior.data, 0, dx.data, 0, prior.size());
            LayerHarness.backward(dense, dy);
            float[] w = dense.kernel.value.data;
            for (int b = 0; b < n; b++) {
                for (int u = 0; u < units; u++) {
                    double ref = dense.bias == null ? 0 : dense.bias.value.data[u];
                    for (int i = 0; i < in; i++) ref += (double) input.data[b * in + i] * w[i * units + u];
                    assertEquals(ref, y.data[b * units + u], 1e-4 * Math.max(1, Math.abs(ref)), "y " + b + "," + u);
                }
                for (int i = 0; i < in; i++) {
                    double ref = prior.data[b * in + i];
                    for (int u = 0; u < units; u++) ref += (double) dy.data[b * units + u] * w[i * units + u];
                    assertEquals(ref, dx.data[b * in + i], 1e-4 * Math.max(1, Math.abs(ref)), "dx " + b + "," + i);
                }
            }
            for (int i = 0; i < in; i++) {
                for (int u = 0; u < units; u++) {
                    double ref = 0;
                    for (int b = 0; b < n; b++) ref += (double) input.data[b * in + i] * dy.data[b * units + u];
                    assertEquals(ref, dense.kernel.grad.data[i * units + u], 1e-4 * Math.max(1, Math.abs(ref)), "dW " + i + "," + u);
                }
            }
            if (dense.bias != null) {
                for (int u = 0; u < units; u++) {
                    double ref = 0;
                    for (int b = 0; b < n; b++) ref += dy.data[b * units + u];
                    assertEquals(ref, dense.bias.grad.data[u], 1e-5 * Math.max(1, Math.abs(ref)), "db " + u);
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Dense withBias = new Dense("dense_bias", new Input("a", 17), 5, true);
        GradCheck.randomizeWeights(withBias, new Random(1), -1, 1);
        GradCheck.check(withBias, 3, true, 7, 1e-2, 1e-2, 60);
        Dense noBias = new Dense("dense", new Input("b", 6), 33, false);
        GradCheck.randomizeWeights(noBias, new Random(2), -1, 1);
        GradCheck.check(noBias, 1, true, 8, 1e-2, 1e-2, 60);
    }

    @Test
    void frozenLayerOnlyPropagatesAndNullInputGradientIsSkipped() {
        Random rnd = new Random(4);
        Input x = new Input("x", 9);
        Dense dense = new Dense("frozen", x, 4, true);
        GradCheck.randomizeWeights(dense, rnd, -1, 1);
        dense.setTrainable(false);
        LayerHarness.forward(dense, true, GradCheck.random(rnd, 2, 9));
        dense.kernel.grad.data[0] = 7f;
        dense.bias.grad.data[0] = 8f;
        Tensor[] dx = LayerHarness.backward(dense, GradCheck.random(rnd, 2, 4));
        assertEquals(7f, dense.kernel.grad.data[0]);
        assertEquals(8f, dense.bias.grad.data[0]);
        assertTrue(dx[0].data[0] != 0, "the input gradient still flows through a frozen layer");

        dense.setTrainable(true);
        Tensor input = GradCheck.random(rnd, 2, 9), dy = GradCheck.random(rnd, 2, 4);
        LayerHarness.forward(dense, true, input);
        LayerHarness.backward(dense, dy);
        float[] dw = dense.kernel.grad.data.clone();
        LayerHarness.backwardWithoutInputGradient(dense, input, dy);
        assertArrayEquals(dw, dense.kernel.grad.data);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        float[][][] runs = new float[2][][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            Random rnd = new Random(3);
            Dense dense = new Dense("dense", new Input("x", 300), 130, true);
            GradCheck.randomizeWeights(dense, rnd, -1, 1);
            Tensor y = LayerHarness.forward(dense, true, GradCheck.random(rnd, 64, 300)).copy();
            Tensor[] dx = LayerHarness.backward(dense, GradCheck.random(rnd, 64, 130));
            runs[threads - 1] = new float[][] {y.data, dx[0].data, dense.kernel.grad.data.clone(), dense.bias.grad.data.clone()};
        }
        for (int i = 0; i < 4; i++) assertArrayEquals(runs[0][i], runs[1][i], "result " + i);
    }
}
