package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static slice.engine.LayerHarness.atOneAndTwoThreads;
import static slice.engine.LayerHarness.buffer;
import static slice.engine.LayerHarness.gradient;
import static slice.engine.LayerHarness.withRandomWeights;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.LayerByLayer;
import slice.engine.Tensor;

/**
 * Training fusion ({@link Graph#plan} letting a batch norm apply the ReLU after it, forward and backward, wherever the
 * ReLU is the norm's only consumer): a training step of the fused graph gives the outputs and gradients of its layers
 * run one by one ({@link LayerByLayer}; tolerance 0, the same arithmetic on the same numbers), at one and two threads,
 * and the graph fuses only where it is allowed and serves only the values it keeps.
 */
class TrainingFusionTest {
    /**
     * x [9, 7, 5] → 3×3/2 conv (17) → BN → ReLU6 → { 1×1 conv (11) → BN (no γ) → ReLU ; 1×1 conv (11) } → Add → BN →
     * ReLU6 (the output). The first ReLU feeds two layers (fused: it is its norm's only consumer); the second BN's
     * ReLU too; the Add has no norm; the last chain ends the graph.
     */
    private static final class Net {
        final Input x = new Input("x", 9, 7, 5);
        final Conv2D c1 = new Conv2D("c1", x, 17, 3, 3, 2, 2, Padding.SAME, false);
        final BatchNorm b1 = new BatchNorm("b1", c1, true, 1e-3f, 0.99f);
        final ReLU r1 = new ReLU("r1", b1, 6f);
        final Conv2D c2 = new Conv2D("c2", r1, 11, 1, 1, 1, 1, Padding.SAME, true);
        final BatchNorm b2 = new BatchNorm("b2", c2, false, 1e-3f, 0.99f);
        final ReLU r2 = new ReLU("r2", b2);
        final Conv2D c3 = new Conv2D("c3", r1, 11, 1, 1, 1, 1, Padding.SAME, false);
        final Add sum = new Add("sum", r2, c3);
        final BatchNorm b3 = new BatchNorm("b3", sum, true, 1e-3f, 0.99f);
        final ReLU r3 = new ReLU("r3", b3, 0.5f);
        final Graph graph = new Graph(x, r3);

        Net(long seed) {
            withRandomWeights(graph, seed, 1f);
        }
    }

    @Test
    void fusedTrainingStepEqualsTheLayersRunOneByOne() {
        Net net = new Net(5);
        Random rnd = new Random(6);
        Tensor x = GradCheck.random(rnd, 3, 9, 7, 5), dy = GradCheck.random(rnd, 3, net.r3.outputShape());
        net.graph.plan(3);
        for (ReLU relu : List.of(net.r1, net.r2, net.r3)) {
            Layer norm = relu.inputs().get(0);
            assertSame(buffer(net.graph, norm), buffer(net.graph, relu), relu.name + " writes into its norm's output");
            assertSame(gradient(net.graph, norm), gradient(net.graph, relu), relu.name + " shares its norm's gradient");
            assertFalse(net.graph.executedNodes().stream().anyMatch(n -> n.layer == relu), relu.name + " does not run");
            assertFalse(net.graph.backwardNodes().stream().anyMatch(n -> n.layer == relu), relu.name + " has no backward");
        }
        assertNotSame(buffer(net.graph, net.c1), buffer(net.graph, net.b1), "a trainable conv keeps its norm apart");
        for (boolean training : new boolean[] {true, false}) {
            for (Layer l : net.graph.layers()) l.setTrainable(true);
            net.c1.setTrainable(!training); // also a frozen first layer: no ∂L/∂ for it, the norms still pass theirs
            net.graph.plan(3);
            LayerByLayer reference = new LayerByLayer(net.graph, x, training);
            reference.backward(dy);
            List<float[]> expected = gradients(net.graph);
            atOneAndTwoThreads(t -> {
                Tensor y = net.graph.forward(x, training);
                net.graph.backward(dy);
                String what = (training ? "training" : "inference") + " mode, threads " + t;
                assertArrayEquals(reference.activation(net.r3).data, Arrays.copyOf(y.data, y.size()), 0f, what);
                for (Layer l : List.of(net.r1, net.c2, net.r2, net.c3, net.sum)) {
                    assertArrayEquals(reference.activation(l).data, net.graph.activation(l).data, 0f, what + ", " + l.name);
                }
                for (Layer l : List.of(net.r1, net.r2, net.sum)) {
                    assertArrayEquals(reference.gradient(l).data, gradient(net.graph, l).data, 0f, what + ", ∂L/∂" + l.name);
                }
                List<float[]> got = gradients(net.graph);
                for (int i = 0; i < got.size(); i++) assertArrayEquals(expected.get(i), got.get(i), 0f, what + ", param " + i);
            });
        }
    }

    /**
     * A batch norm in training mode hands ∂L/∂x to the convolution before it as rows computed when read
     * ({@link slice.engine.Node#deferInGrad}): x [24, 24, 8] → 1×1 conv (8) → 1×1 conv (40) → BN → ReLU6 → 3×3 conv
     * (16, bias) → BN → ReLU → 1×1 conv (12, bias) → BN. The 8 → 40 convolution's backward takes the rows chunk by
     * chunk (20 · 576 rows: the one-pass 1×1 backward, eight chunks), so its gradient buffer is never written; the
     * 3×3 and the biased 1×1 read the rows written into their buffers. Output and every parameter gradient equal the
     * layers run one by one, at one and two threads.
     */
    @Test
    void aNormsDeferredGradientGivesTheGradientsOfTheLayersRunOneByOne() {
        Input x = new Input("x", 24, 24, 8);
        Conv2D c0 = new Conv2D("c0", x, 8, 1, 1, 1, 1, Padding.SAME, false);
        Conv2D c1 = new Conv2D("c1", c0, 40, 1, 1, 1, 1, Padding.SAME, false);
        ReLU r1 = new ReLU("r1", new BatchNorm("b1", c1, true, 1e-3f, 0.99f), 6f);
        Conv2D c2 = new Conv2D("c2", r1, 16, 3, 3, 1, 1, Padding.SAME, true);
        ReLU r2 = new ReLU("r2", new BatchNorm("b2", c2, false, 1e-3f, 0.99f));
        Conv2D c3 = new Conv2D("c3", r2, 12, 1, 1, 1, 1, Padding.SAME, true);
        Graph graph = withRandomWeights(new Graph(x, new BatchNorm("b3", c3, true, 1e-3f, 0.99f)), 9, 1f);
        graph.setTrainable(true);
        Random rnd = new Random(10);
        int batch = 20;
        Tensor in = GradCheck.random(rnd, batch, 24, 24, 8), dy = GradCheck.random(rnd, batch, graph.outputShape());
        graph.plan(batch);
        LayerByLayer reference = new LayerByLayer(graph, in, true);
        reference.backward(dy);
        List<float[]> expected = gradients(graph);
        atOneAndTwoThreads(t -> {
            Arrays.fill(gradient(graph, c1).data, Float.NaN);
            Tensor y = graph.forward(in, true);
            graph.backward(dy);
            assertArrayEquals(reference.activation(graph.output()).data, Arrays.copyOf(y.data, y.size()), 0f, "threads " + t);
            List<float[]> got = gradients(graph);
            for (int i = 0; i < got.size(); i++) assertArrayEquals(expected.get(i), got.get(i), 0f, "threads " + t + ", param " + i);
            assertTrue(Float.isNaN(gradient(graph, c1).data[0]), "the one-pass 1×1 backward read ∂L/∂c1 as rows, not from its buffer");
            for (Conv2D c : List.of(c0, c2, c3)) {
                assertArrayEquals(reference.gradient(c).data, gradient(graph, c).data, 0f, "threads " + t + ", ∂L/∂" + c.name);
            }
        });
    }

    private static List<float[]> gradients(Graph g) {
        return g.trainableParams().stream().map(p -> p.grad.data.clone()).toList();
    }

    @Test
    void aFusedNormHasNoValueAndAGraphEndingAtANormKeepsIt() {
        Net net = new Net(7);
        Tensor x = GradCheck.random(new Random(8), 2, 9, 7, 5);
        net.graph.plan(2);
        net.graph.forward(x, true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.graph.activation("b1"));
        assertTrue(e.getMessage().contains("b1") && e.getMessage().contains("fused"), e.getMessage());
        net.graph.activation("r1");

        Graph cut = net.graph.cutAt("b2");
        cut.plan(2);
        float[] normalised = Arrays.copyOf(cut.forward(x, true).data, 2 * net.b2.outputSize());
        assertArrayEquals(normalised, Arrays.copyOf(cut.activation("b2").data, normalised.length));
        boolean negative = false;
        for (float v : normalised) negative |= v < 0;
        assertTrue(negative, "the output norm applies no ReLU");
    }
}
