package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static slice.engine.LayerHarness.buffer;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.Tensor;

/**
 * Inference fusion on the real network: MobileNetV2 α 0.35 with its Keras weights, on the reference input, gives
 * bit-identical activations (tolerance 0) whether each convolution applies its frozen batch norm and ReLU6 itself
 * (frozen graph) or every layer runs on its own (trainable graph, inference forward). {@link ConformanceTest} checks
 * the fused path against the golden activations. The same network planned for inference ({@link Graph#planInference})
 * gives the same pooled features, slice by slice.
 */
class FusedInferenceTest {
    private static final String[] CHAIN_ENDS = {"Conv1_relu", "block_1_depthwise_relu", "block_2_add",
            "block_13_depthwise_relu", "block_16_project_BN", "out_relu"};

    @Test
    void fusedMobileNetV2EqualsLayerByLayer() throws IOException {
        Graph g = ReferenceMobileNet.loaded();
        Tensor x = ReferenceMobileNet.input();
        ReferenceMobileNet.forward(g, x, true);
        float[][] expected = new float[CHAIN_ENDS.length][];
        for (int i = 0; i < CHAIN_ENDS.length; i++) expected[i] = g.activation(CHAIN_ENDS[i]).data.clone();

        g.setTrainable(false);
        g.plan(x.dim(0));
        assertSame(buffer(g, g.layer("Conv1")), buffer(g, g.layer("Conv1_relu")), "Conv1 applies bn_Conv1 and Conv1_relu");
        assertThrows(IllegalStateException.class, () -> g.activation("bn_Conv1"), "fused away");
        Tensor pooled = g.forward(x, false);
        float[] features = Arrays.copyOf(pooled.data, pooled.size());
        for (int i = 0; i < CHAIN_ENDS.length; i++) {
            Tensor out = g.activation(CHAIN_ENDS[i]);
            assertArrayEquals(expected[i], Arrays.copyOf(out.data, out.size()), CHAIN_ENDS[i]);
        }

        // The inference plan runs the images twice over (8) in slices of at most 6 (block_1_expand: 112²·48 floats each):
        // two slices of 4 on one thread, one share of 4 per thread on two.
        float[] twice = Arrays.copyOf(x.data, 2 * x.size());
        System.arraycopy(x.data, 0, twice, x.size(), x.size());
        g.planInference(2 * x.dim(0));
        assertEquals(6, buffer(g, g.layer("block_1_expand")).dim(0));
        Tensor sliced = g.forward(Tensor.wrap(twice, 2 * x.dim(0), 224, 224, 3), false);
        assertArrayEquals(new int[] {8, pooled.dim(1)}, sliced.shape());
        for (int copy = 0; copy < 2; copy++) {
            assertArrayEquals(features, Arrays.copyOfRange(sliced.data, copy * features.length, (copy + 1) * features.length),
                    "sliced inference, copy " + copy);
        }
    }
}
