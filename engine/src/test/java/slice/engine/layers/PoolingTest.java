package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static slice.engine.layers.BatchNormTest.concat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Parallel;
import slice.engine.Tensor;

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
    void resultsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            float[][] runs = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                Random rnd = new Random(6);
                MaxPooling2D max = new MaxPooling2D("max", new Input("x", 17, 17, 33), 3, 2, Padding.VALID);
                AveragePooling2D avg = new AveragePooling2D("avg", new Input("y", 17, 17, 33), 3, 1, Padding.SAME);
                Tensor x = GradCheck.random(rnd, 3, 17, 17, 33);
                Tensor yMax = LayerHarness.forward(max, true, x).copy(), yAvg = LayerHarness.forward(avg, true, x).copy();
                Tensor dxMax = LayerHarness.backward(max, GradCheck.random(rnd, 3, 8, 8, 33))[0];
                Tensor dxAvg = LayerHarness.backward(avg, GradCheck.random(rnd, 3, 17, 17, 33))[0];
                runs[threads - 1] = concat(yMax.data, yAvg.data, dxMax.data, dxAvg.data);
            }
            assertArrayEquals(runs[0], runs[1]);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
