package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.Param;
import slice.engine.Tensor;

/** dlib's ResNet as face-api.js runs it: its shapes, its face-api weight names, and gradients through the whole network. */
class FaceRecognitionNetTest {
    @Test
    void shapesFollowFaceApiStageByStage() {
        Graph g = new FaceRecognitionNet().graph;
        assertShape(g, "conv32_down/relu", 72, 72, 32);
        assertShape(g, "pool", 35, 35, 32);
        assertShape(g, "conv32_3/relu", 35, 35, 32);
        assertShape(g, "conv64_down/conv2/scale", 17, 17, 64);
        assertShape(g, "conv64_down/pad_channels", 17, 17, 64);
        assertShape(g, "conv64_3/relu", 17, 17, 64);
        assertShape(g, "conv128_2/relu", 8, 8, 128);
        assertShape(g, "conv256_down/conv2/scale", 3, 3, 256);
        assertShape(g, "conv256_down/pool", 4, 4, 128);
        assertShape(g, "conv256_down/pad", 4, 4, 256);
        assertShape(g, "conv256_2/relu", 4, 4, 256);
        assertShape(g, "conv256_down_out/conv2/scale", 1, 1, 256);
        assertShape(g, "conv256_down_out/pad", 2, 2, 256);
        assertShape(g, "mean", 256);
        assertShape(g, FaceRecognitionNet.EMBEDDING_LAYER, 128);
        assertEquals(g.output(), g.layer(FaceRecognitionNet.EMBEDDING_LAYER));
        // 256 → 256: no zero channels; branches as large as the shortcut: no zero row and column
        assertThrows(IllegalArgumentException.class, () -> g.layer("conv256_down_out/pad_channels"));
        assertThrows(IllegalArgumentException.class, () -> g.layer("conv64_down/pad"));
        assertThrows(IllegalArgumentException.class, () -> g.layer("conv128_down/pad"));
    }

    @Test
    void weightsHaveFaceApisNamesShapesAndCount() {
        FaceRecognitionNet net = new FaceRecognitionNet();
        assertEquals(29 * 4 + 1, net.weights.size());
        assertEquals(List.of("conv32_down/conv/filters", "conv32_down/conv/bias", "conv32_down/scale/weights",
                "conv32_down/scale/biases", "conv32_1/conv1/conv/filters"), net.weights.keySet().stream().limit(5).toList());
        assertArrayEquals(new int[] {7, 7, 3, 32}, net.weights.get("conv32_down/conv/filters").value.shape());
        assertArrayEquals(new int[] {3, 3, 32, 64}, net.weights.get("conv64_down/conv1/conv/filters").value.shape());
        assertArrayEquals(new int[] {256}, net.weights.get("conv256_down_out/conv2/scale/biases").value.shape());
        assertArrayEquals(new int[] {256, 128}, net.weights.get("fc").value.shape());
        // the manifest's 117 tensors hold 5,614,592 numbers; every one is a trainable weight of the graph
        assertEquals(5_614_592, net.graph.paramCount());
        assertEquals(net.graph.weights().size(), net.weights.size());
        assertTrue(net.weights.values().stream().allMatch(Param::isTrainable));
        assertEquals(net.graph.trainableParams().size(), net.weights.size());
    }

    /**
     * Backward through all 29 convolutions, both kinds of residual block and the embedding: for weights at the start,
     * the middle and the end, the derivative of {@code L = Σ r ⊙ descriptor} along the gradient {@code g} of a weight
     * tensor, measured by central differences, is {@code |g|} within 2 % (a gradient off in any direction would give
     * less, by Cauchy–Schwarz). Each layer has its own per-coordinate check; this one checks how they are wired. Along
     * the gradient the change of L is largest, so float32 rounding through 29 layers stays small beside it.
     */
    @Test
    void gradientsFlowThroughTheWholeNetwork() {
        FaceRecognitionNet net = new FaceRecognitionNet();
        Random rnd = new Random(5);
        for (Param p : net.graph.weights()) { // kernels uniform with variance 1/fan-in; scales 1 ± 0.1, biases ± 0.1
            int[] s = p.value.shape();
            boolean kernel = s.length > 1;
            double fanIn = s.length == 4 ? s[0] * s[1] * s[2] : s[0];
            for (int i = 0; i < p.value.size(); i++) {
                double u = rnd.nextDouble() * 2 - 1;
                p.value.data[i] = kernel ? (float) (u * Math.sqrt(3 / fanIn)) : (float) (p.value.data[i] + 0.1 * u);
            }
        }
        Graph g = net.graph;
        g.plan(2);
        Tensor x = new Tensor(2, 150, 150, 3);
        for (int i = 0; i < x.size(); i++) x.data[i] = rnd.nextFloat() * 2 - 1;
        float[] r = new float[2 * 128];
        for (int i = 0; i < r.length; i++) r[i] = rnd.nextFloat() * 2 - 1;
        g.forward(x, true);
        g.backward(Tensor.wrap(r.clone(), 2, 128));
        for (String name : new String[] {"conv32_down/conv/filters", "conv32_2/conv2/scale/weights", "conv64_down/conv1/conv/filters",
                "conv128_1/conv2/conv/bias", "conv256_down/conv2/scale/biases", "conv256_down_out/conv1/conv/filters", "fc"}) {
            Param p = net.weights.get(name);
            double analytic = norm(p.grad.data);
            assertFalse(analytic == 0, name + ": no gradient");
            float[] direction = new float[p.value.size()];
            for (int i = 0; i < direction.length; i++) direction[i] = (float) (p.grad.data[i] / analytic);
            double h = 1e-4 * norm(p.value.data);
            float[] saved = p.value.data.clone();
            double plus = loss(g, x, r, p, saved, direction, h), minus = loss(g, x, r, p, saved, direction, -h);
            System.arraycopy(saved, 0, p.value.data, 0, saved.length);
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, analytic, 0.02 * Math.abs(numeric),
                    String.format(Locale.ROOT, "%s: analytic %.6g, numeric %.6g", name, analytic, numeric));
        }
    }

    private static double loss(Graph g, Tensor x, float[] r, Param p, float[] saved, float[] direction, double h) {
        for (int i = 0; i < saved.length; i++) p.value.data[i] = (float) (saved[i] + h * direction[i]);
        Tensor out = g.forward(x, true);
        double l = 0;
        for (int i = 0; i < r.length; i++) l += (double) r[i] * out.data[i];
        return l;
    }

    private static double norm(float[] a) {
        double s = 0;
        for (float v : a) s += (double) v * v;
        return Math.sqrt(s);
    }

    private static void assertShape(Graph g, String layer, int... shape) {
        assertArrayEquals(shape, g.layer(layer).outputShape(), layer);
    }
}
