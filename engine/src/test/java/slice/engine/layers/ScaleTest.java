package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Tensor;

/** The per-channel affine layer: values by hand, gradient checks, its kernels vector = scalar, thread-count independence. */
class ScaleTest {
    private static Scale layer(String name, int[] shape, long seed) {
        Scale s = new Scale(name, new Input(name + "_in", shape));
        GradCheck.randomizeWeights(s, new Random(seed), -1.5f, 1.5f);
        return s;
    }

    @Test
    void startsAsTheIdentityAndMapsEachChannel() {
        Scale s = new Scale("s", new Input("x", 1, 2, 2));
        Tensor x = Tensor.wrap(new float[] {1, -2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(x.data, LayerHarness.forward(s, false, x).data, "scale 1, bias 0");
        s.scale.value.data[0] = 2f;
        s.scale.value.data[1] = -0.5f;
        s.bias.value.data[0] = 0.25f;
        s.bias.value.data[1] = 1f;
        assertArrayEquals(new float[] {2.25f, 2f, 6.25f, -1f}, LayerHarness.forward(s, true, x).data);
        Tensor dx = LayerHarness.backward(s, Tensor.wrap(new float[] {1, 2, -1, 4}, 1, 1, 2, 2))[0];
        assertArrayEquals(new float[] {2f, -1f, -2f, -2f}, dx.data, "a·g");
        assertArrayEquals(new float[] {1 * 1 + -1 * 3, 2 * -2 + 4 * 4}, s.scale.grad.data, "Σ g·x");
        assertArrayEquals(new float[] {0f, 6f}, s.bias.grad.data, "Σ g");
    }

    @Test
    void gradientsOnOddShapes() {
        GradCheck.check(layer("scale_img", new int[] {3, 5, 7}, 1), 2, true, 2, 1e-2, 1e-3, 60);
        GradCheck.check(layer("scale_vec", new int[] {33}, 3), 3, false, 4, 1e-2, 1e-3, 60);
        // 286 pixels: two blocks of partial sums
        GradCheck.check(layer("scale_blocks", new int[] {13, 11, 3}, 5), 2, true, 6, 1e-2, 1e-3, 60);
    }

    @Test
    void frozenLayerStillPassesTheInputGradient() {
        Scale s = layer("frozen", new int[] {2, 3, 5}, 7);
        s.setTrainable(false);
        Random rnd = new Random(8);
        LayerHarness.forward(s, true, GradCheck.random(rnd, 2, 2, 3, 5));
        Tensor dy = GradCheck.random(rnd, 2, 2, 3, 5);
        Tensor dx = LayerHarness.backward(s, dy)[0];
        for (int i = 0; i < dx.size(); i++) assertEquals(s.scale.value.data[i % 5] * dy.data[i], dx.data[i]);
        assertArrayEquals(new float[5], s.scale.grad.data, "no parameter gradient when frozen");
    }

    /** The one sum Scale adds to batch norm's uses: {@code gradientSums} about a zero mean, on odd channel and pixel counts. */
    @Test
    void zeroMeanGradientSumsVectorMatchesScalarTwinBitForBit() {
        BatchNormTest.assertVectorMatchesScalarTwin(9, (kernel, rnd, pixels, channels) -> {
            float[] x = BatchNormTest.randoms(rnd, pixels * channels), dy = BatchNormTest.randoms(rnd, pixels * channels);
            float[] g = BatchNormTest.randoms(rnd, channels), gx = BatchNormTest.randoms(rnd, channels);
            kernel.gradientSums(dy, x, pixels / 3, pixels, channels, new float[channels], g, gx);
            return BatchNormTest.concat(g, gx);
        });
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        LayerHarness.assertSameForAnyThreadCount(() -> {
            Scale s = layer("scale_threads", new int[] {19, 21, 37}, 10);
            Random rnd = new Random(11);
            Tensor y = LayerHarness.forward(s, true, GradCheck.random(rnd, 3, 19, 21, 37));
            Tensor dx = LayerHarness.backward(s, GradCheck.random(rnd, 3, 19, 21, 37))[0];
            return BatchNormTest.concat(y.data, dx.data, s.scale.grad.data, s.bias.grad.data);
        });
    }
}
