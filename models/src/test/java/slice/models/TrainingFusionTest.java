package slice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Graph;
import slice.engine.LayerByLayer;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.engine.layers.ReLU;

/**
 * A MobileNetV2 training step (α 0.35, 32 px, batch 2, random weights) with the graph's fusions — every batch norm
 * applying its ReLU6, forward and backward; when fine-tuning, the frozen prefix folded into its convolutions — gives
 * exactly the output and the parameter gradients of its layers run one by one ({@link LayerByLayer}, tolerance 0).
 */
class TrainingFusionTest {
    private static Graph randomMobileNet(long seed) {
        Graph g = new ModelSpec(Architecture.MOBILENET_V2, 0.35f, 32, false, 0).build();
        Random rnd = new Random(seed);
        for (Param p : g.weights()) {
            float lo = -1, hi = 1;
            if (p.name.endsWith("kernel")) {
                int[] shape = p.value.shape();
                float bound = (float) Math.sqrt(3.0 * shape[shape.length - 1] / p.value.size());
                lo = -bound;
                hi = bound;
            } else if (p.name.endsWith("gamma") || p.name.endsWith("moving_variance")) {
                lo = 0.5f;
                hi = 1.5f;
            }
            for (int i = 0; i < p.value.size(); i++) p.value.data[i] = lo + rnd.nextFloat() * (hi - lo);
        }
        return g;
    }

    @Test
    void fusedStepGivesTheGradientsOfTheLayersRunOneByOne() {
        for (String frozenUpTo : new String[] {null, "block_13_expand_relu"}) {
            Graph g = randomMobileNet(3);
            if (frozenUpTo == null) g.setTrainable(true);
            else g.freezeUpTo(frozenUpTo);
            g.plan(2);
            // the frozen layers run as an inference plan ending at the cut (block_13_expand_relu alone feeds the rest)
            assertEquals(frozenUpTo, g.frozenPrefix() == null ? null : g.frozenPrefix().output().name);
            long fusedRelus = g.layers().stream().filter(l -> l instanceof ReLU)
                    .filter(l -> g.executedNodes().stream().noneMatch(n -> n.layer == l)).count();
            assertEquals(g.layers().stream().filter(l -> l instanceof ReLU).count(), fusedRelus, "every ReLU6 is fused");
            Random rnd = new Random(4);
            Tensor x = GradCheck.random(rnd, 2, 32, 32, 3), dy = GradCheck.random(rnd, 2, g.outputShape());

            LayerByLayer reference = new LayerByLayer(g, x, true);
            reference.backward(dy);
            List<Param> params = g.trainableParams();
            List<float[]> expected = params.stream().map(p -> p.grad.data.clone()).toList();
            for (Param p : params) Arrays.fill(p.grad.data, Float.NaN);

            Tensor y = g.forward(x, true);
            g.backward(dy);
            String what = frozenUpTo == null ? "full step" : "fine-tuning after " + frozenUpTo;
            assertArrayEquals(reference.activation(g.output()).data, Arrays.copyOf(y.data, y.size()), 0f, what);
            boolean nonZero = false;
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(expected.get(i), params.get(i).grad.data, 0f, what + ": " + params.get(i).name);
                for (float v : expected.get(i)) nonZero |= v != 0;
            }
            assertTrue(nonZero, "some gradient is not zero");
        }
    }
}
