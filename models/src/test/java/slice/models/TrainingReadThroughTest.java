package slice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.LayerByLayer;
import slice.engine.Node;
import slice.engine.Param;
import slice.engine.Tensor;

/**
 * MobileNetV2's stride-2 depthwise convolutions read through their Keras-style zero paddings in a training plan; a
 * whole training step (random weights, batch-norm batch statistics) gives exactly (tolerance 0) the output and every
 * parameter gradient of the same layers run one by one, each padding materialised: each padding's input feeds only the
 * padding, so its gradient is the depthwise's taps summed from zero either way.
 */
class TrainingReadThroughTest {
    @Test
    void mobileNetV2TrainingStepIsUnchangedByReadingThroughThePaddings() {
        Graph g = new ModelSpec(Architecture.MOBILENET_V2, 0.35f, 40, true, 7).build(); // 40 → 20 → 10 → 5 (odd) → 3
        Random rnd = new Random(31);
        for (Layer l : g.layers()) GradCheck.randomizeWeights(l, rnd, -1f, 1f);
        g.setTrainable(true);
        Tensor x = GradCheck.random(rnd, 2, 40, 40, 3), dy = GradCheck.random(rnd, 2, 7);
        LayerByLayer reference = new LayerByLayer(g, x, true);
        reference.backward(dy);
        float[] expectedOutput = reference.activation(g.output()).data.clone();
        List<float[]> expected = g.trainableParams().stream().map(p -> p.grad.data.clone()).toList();
        g.plan(2);
        float[] y = g.forward(x, true).data.clone();
        g.backward(dy);
        assertEquals(List.of("block_1_pad", "block_3_pad", "block_6_pad", "block_13_pad"),
                g.nodes().stream().map(Node::readThrough).filter(l -> l != null).map(l -> l.name).toList());
        assertArrayEquals(expectedOutput, y, "output");
        List<Param> params = g.trainableParams();
        for (int i = 0; i < params.size(); i++) assertArrayEquals(expected.get(i), params.get(i).grad.data, params.get(i).name);
        float[] firstKernelGradient = g.layer("Conv1").weights().get(0).grad.data; // reached through block_1_pad
        double norm = 0;
        for (float v : firstKernelGradient) norm += v * v;
        assertTrue(Double.isFinite(norm) && norm > 0, "a real gradient reaches the first convolution: " + norm);
    }
}
