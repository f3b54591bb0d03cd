package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Input;
import slice.engine.LayerHarness;
import slice.engine.Tensor;
import slice.engine.kernels.AddScalar;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.ReluKernel;
import slice.engine.kernels.ReluScalar;

/**
 * ReLU, leaky ReLU, Add, Concatenate, ZeroPadding2D, ChannelPadding, GlobalAveragePooling2D and Dropout: values by hand
 * and gradient checks.
 */
class ElementwiseLayersTest {
    @Test
    void reluClipsAndPassesGradientOnlyBetweenTheKinks() {
        Input x = new Input("x", 4);
        ReLU relu6 = new ReLU("relu6", x, 6f);
        Tensor y = LayerHarness.forward(relu6, false, Tensor.wrap(new float[] {-1, 0.5f, 6.5f, 3}, 1, 4));
        assertArrayEquals(new float[] {0, 0.5f, 6, 3}, y.data);
        assertArrayEquals(new float[] {0, 1, 0, 1}, LayerHarness.backward(relu6, Tensor.wrap(filled(4, 1f), 1, 4))[0].data);
        assertEquals("ReLU", relu6.typeName());
        assertEquals("Activation", new ReLU("r", x).typeName());

        GradCheck.check(new ReLU("relu", new Input("a", 3, 5, 7)), 2, true, 1, 1e-3, 1e-2, 60);
        GradCheck.check(new ReLU("relu_half", new Input("b", 5, 3, 3), 0.5f), 3, true, 2, 1e-3, 1e-2, 60);
    }

    @Test
    void leakyReluScalesNegativesAndTheirGradient() {
        Input x = new Input("x", 4);
        LeakyReLU leaky = new LeakyReLU("leaky", x, 0.1f);
        Tensor y = LayerHarness.forward(leaky, false, Tensor.wrap(new float[] {-2, 0, 0.5f, -0.25f}, 1, 4));
        assertArrayEquals(new float[] {-0.2f, 0, 0.5f, -0.025f}, y.data);
        assertArrayEquals(new float[] {0.1f, 0.1f, 1, 0.1f}, LayerHarness.backward(leaky, Tensor.wrap(filled(4, 1f), 1, 4))[0].data);
        GradCheck.check(new LeakyReLU("leaky_a", new Input("a", 3, 5, 7), 0.1f), 2, true, 11, 1e-4, 1e-2, 60);
        GradCheck.check(new LeakyReLU("leaky_b", new Input("b", 5, 3, 3), 0.3f), 3, true, 14, 1e-4, 1e-2, 60);
    }

    @Test
    void rectifierVectorKernelsMatchScalarTwinBitForBit() {
        ReluKernel scalar = new ReluScalar(), vector = Kernels.RELU;
        Random rnd = new Random(12);
        for (int size : new int[] {1, 5, 37, 1001}) {
            float[] x = new float[size], dy = new float[size];
            for (int i = 0; i < size; i++) {
                x[i] = switch (i % 7) { case 0 -> 0f; case 1 -> -0f; case 2 -> 6f; default -> rnd.nextFloat() * 16 - 8; };
                dy[i] = rnd.nextFloat() * 2 - 1;
            }
            float[][] results = new float[2][];
            int k = 0;
            for (ReluKernel kernel : new ReluKernel[] {scalar, vector}) {
                float[] relu6 = new float[size], relu = new float[size], leaky = new float[size];
                float[] dRelu6 = dy.clone(), dRelu = dy.clone(), dLeaky = dy.clone();
                float[] overwritten6 = dy.clone(), overwrittenLeaky = dy.clone();
                kernel.forward(x, relu6, size / 3, size, 6f);
                kernel.backward(x, dy, dRelu6, 0, size, 6f, true);
                kernel.backward(x, dy, overwritten6, size / 3, size, 6f, false);
                kernel.forward(x, relu, 0, size, Float.POSITIVE_INFINITY);
                kernel.backward(x, dy, dRelu, size / 3, size, Float.POSITIVE_INFINITY, true);
                kernel.leakyForward(x, leaky, size / 3, size, 0.1f);
                kernel.leakyBackward(x, dy, dLeaky, 0, size, 0.1f, true);
                kernel.leakyBackward(x, dy, overwrittenLeaky, 0, size, 0.1f, false);
                results[k++] = BatchNormTest.concat(relu6, dRelu6, relu, dRelu, leaky, dLeaky, overwritten6, overwrittenLeaky);
            }
            assertArrayEquals(results[0], results[1], "size " + size);
        }
    }

    @Test
    void addIntoVectorKernelMatchesScalarTwin() {
        Random rnd = new Random(13);
        for (int n : new int[] {1, 3, 17, 33, 1001}) {
            float[] src = BatchNormTest.randoms(rnd, n + 5), dst = BatchNormTest.randoms(rnd, n + 7), expected = dst.clone();
            new AddScalar().addInto(src, 5, expected, 2, n);
            Kernels.ADD.addInto(src, 5, dst, 2, n);
            assertArrayEquals(expected, dst, "length " + n);
        }
    }

    @Test
    void addSumsAnyNumberOfInputsAndFansTheGradientOut() {
        Input a = new Input("a", 3, 3, 5), b = new Input("b", 3, 3, 5), c = new Input("c", 3, 3, 5);
        Add add = new Add("add", a, b, c);
        Tensor y = LayerHarness.forward(add, false, Tensor.wrap(new float[45], 1, 3, 3, 5), Tensor.wrap(filled(45, 2f), 1, 3, 3, 5),
                Tensor.wrap(filled(45, 0.5f), 1, 3, 3, 5));
        assertEquals(2.5f, y.data[44]);
        GradCheck.check(add, 2, true, 3, 1e-2, 1e-3, 40);
        // the same layer twice: its gradient must accumulate, not be overwritten
        Input d = new Input("d", 7);
        GradCheck.check(new Add("twice", d, d), 3, true, 4, 1e-2, 1e-3, 21);
    }

    @Test
    void concatenateKeepsBranchOrderAndSlicesTheGradient() {
        Input a = new Input("a", 1, 2, 2), b = new Input("b", 1, 2, 1);
        Concatenate cat = new Concatenate("cat", a, b);
        assertArrayEquals(new int[] {1, 2, 3}, cat.outputShape());
        Tensor y = LayerHarness.forward(cat, false, Tensor.wrap(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), Tensor.wrap(new float[] {9, 8}, 1, 1, 2, 1));
        assertArrayEquals(new float[] {1, 2, 9, 3, 4, 8}, y.data);
        GradCheck.check(new Concatenate("cat3", new Input("p", 3, 5, 3), new Input("q", 3, 5, 5), new Input("r", 3, 5, 1)),
                2, true, 5, 1e-2, 1e-3, 50);
        GradCheck.check(new Concatenate("catv", new Input("u", 17), new Input("v", 4)), 3, true, 6, 1e-2, 1e-3, 50);
    }

    @Test
    void zeroPaddingPadsAsymmetricallyAndCropsTheGradient() {
        Input x = new Input("x", 2, 2, 1);
        ZeroPadding2D pad = new ZeroPadding2D("pad", x, 0, 1, 1, 0); // top 0, bottom 1, left 1, right 0
        assertArrayEquals(new int[] {3, 3, 1}, pad.outputShape());
        Tensor y = LayerHarness.forward(pad, false, Tensor.wrap(new float[] {1, 2, 3, 4}, 1, 2, 2, 1));
        assertArrayEquals(new float[] {0, 1, 2, 0, 3, 4, 0, 0, 0}, y.data);
        GradCheck.check(new ZeroPadding2D("pad2", new Input("z", 5, 3, 3), 1, 2, 3, 0), 2, true, 7, 1e-2, 1e-3, 60);
    }

    @Test
    void channelPaddingAppendsZeroChannelsAndDropsTheirGradient() {
        Input x = new Input("x", 1, 2, 2);
        ChannelPadding pad = new ChannelPadding("pad_c", x, 3);
        assertArrayEquals(new int[] {1, 2, 5}, pad.outputShape());
        Tensor y = LayerHarness.forward(pad, false, Tensor.wrap(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        assertArrayEquals(new float[] {1, 2, 0, 0, 0, 3, 4, 0, 0, 0}, y.data);
        Tensor dx = LayerHarness.backward(pad, Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1, 1, 2, 5))[0];
        assertArrayEquals(new float[] {1, 2, 6, 7}, dx.data);
        GradCheck.check(new ChannelPadding("pad_c2", new Input("z", 5, 3, 7), 7), 2, true, 9, 1e-2, 1e-3, 60);
        GradCheck.check(new ChannelPadding("pad_c3", new Input("w", 17, 19, 3), 1), 3, true, 10, 1e-2, 1e-3, 60);
    }

    @Test
    void globalAveragePoolAveragesEveryPixel() {
        Input x = new Input("x", 2, 2, 2);
        GlobalAveragePooling2D gap = new GlobalAveragePooling2D("gap", x);
        Tensor y = LayerHarness.forward(gap, false, Tensor.wrap(new float[] {1, 10, 2, 20, 3, 30, 4, 40}, 1, 2, 2, 2));
        assertArrayEquals(new float[] {2.5f, 25f}, y.data);
        GradCheck.check(new GlobalAveragePooling2D("gap2", new Input("g", 3, 5, 17)), 2, true, 8, 1e-2, 1e-3, 60);
    }

    @Test
    void dropoutMasksInTrainingOnlyAndBackpropagatesThroughTheSameMask() {
        Input x = new Input("x", 40, 50);
        Dropout drop = new Dropout("drop", x, 0.25f, 42);
        Tensor in = GradCheck.random(new Random(9), 2, 40, 50);
        float[] first = LayerHarness.forward(drop, true, in).data.clone();
        int zeros = 0;
        for (int i = 0; i < first.length; i++) {
            if (first[i] == 0f) zeros++;
            else assertEquals(in.data[i] / 0.75f, first[i], 1e-6f);
        }
        assertEquals(0.25, zeros / (double) first.length, 0.03, "fraction dropped");

        Tensor dx = LayerHarness.backward(drop, Tensor.wrap(filled(4000, 1f), 2, 40, 50))[0];
        for (int i = 0; i < first.length; i++) assertEquals(first[i] == 0f ? 0f : 1f / 0.75f, dx.data[i], 1e-6f);

        assertFalse(Arrays.equals(first, LayerHarness.forward(drop, true, in).data), "each training call draws a new mask");
        Dropout again = new Dropout("again", x, 0.25f, 42);
        assertArrayEquals(first, LayerHarness.forward(again, true, in).data, "the same seed gives the same masks");

        assertArrayEquals(Arrays.copyOf(in.data, in.size()), LayerHarness.forward(drop, false, in).data, "inference is the identity");
        drop.setTrainable(false);
        assertArrayEquals(Arrays.copyOf(in.data, in.size()), LayerHarness.forward(drop, true, in).data, "a frozen dropout is the identity");
        GradCheck.check(new Dropout("d_inf", new Input("i", 3, 3, 5), 0.5f, 1), 2, false, 10, 1e-2, 1e-3, 40);
        assertTrue(drop.weights().isEmpty());
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
