package slice.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A depthwise convolution reads through the zero padding before it in a training plan too: forward from the unpadded
 * input, backward straight into the unpadded input's gradient. The padding runs neither pass and has no buffers, and
 * the step's numbers are exactly (tolerance 0) those of every layer run on its own.
 */
class ReadThroughTest {
    /**
     * The padding's input r also feeds a 3×3 conv and a residual Add: the depthwise adds its share to r's gradient.
     * Run one by one, the depthwise's taps are summed from zero and the padding adds that sum to the Add's share; read
     * through, the taps continue the Add's share's sum ({@link slice.engine.kernels.DepthwiseKernel}'s input gradient
     * starts from the existing value). So ∂L/∂r, and the gradient of {@code c1} before it, differ by that order of
     * float additions: within {@code 1e-5} of the largest value. Everything after r is exact.
     */
    @Test
    void trainingStepEqualsTheLayersRunOneByOne() {
        for (String frozenUpTo : new String[] {null, "c1", "b1c"}) {
            LayerHarness.atOneAndTwoThreads(threads -> {
                Graph g = InferencePlanTest.branchingNetwork();
                if (frozenUpTo != null) g.freezeUpTo(frozenUpTo);
                Random rnd = new Random(21);
                Tensor x = GradCheck.random(rnd, 3, 9, 7, 4), dy = GradCheck.random(rnd, 3, 5);
                LayerByLayer reference = new LayerByLayer(g, x, true);
                reference.backward(dy);
                float[] expectedOutput = reference.activation(g.output()).data.clone();
                List<float[]> expected = g.trainableParams().stream().map(p -> p.grad.data.clone()).toList();
                g.plan(3);
                // frozen up to c1: c1 alone runs as an inference plan; up to b1c: c1 and r (r feeds both branches)
                String prefixEnd = frozenUpTo == null ? null : frozenUpTo.equals("c1") ? "c1" : "r";
                assertEquals(prefixEnd, g.frozenPrefix() == null ? null : g.frozenPrefix().output().name);
                float[] y = g.forward(x, true).data.clone();
                g.backward(dy);
                String where = "frozen up to " + frozenUpTo + ", threads " + threads;
                assertArrayEquals(expectedOutput, y, "output, " + where);
                List<Param> params = g.trainableParams();
                for (int i = 0; i < params.size(); i++) {
                    float[] want = expected.get(i), got = params.get(i).grad.data;
                    String what = params.get(i).name + ", " + where;
                    if (!params.get(i).name.startsWith("c1/")) {
                        assertArrayEquals(want, got, what);
                        continue;
                    }
                    float largest = 0;
                    for (float v : want) largest = Math.max(largest, Math.abs(v));
                    assertArrayEquals(want, got, 1e-5f * largest, what);
                }
            });
        }
    }

    @Test
    void thePaddingRunsNeitherPassAndKeepsNoBuffer() {
        Graph g = InferencePlanTest.branchingNetwork();
        g.plan(2);
        Node pad = g.nodes().stream().filter(n -> n.layer.name.equals("b2p")).findFirst().orElseThrow();
        Node depthwise = g.nodes().stream().filter(n -> n.layer.name.equals("b2d")).findFirst().orElseThrow();
        assertEquals(pad.layer, depthwise.readThrough());
        assertEquals(0, pad.out().data.length);
        assertNull(pad.grad());
        assertFalse(g.executedNodes().contains(pad));
        assertTrue(g.executedNodes().contains(depthwise));
        g.forward(GradCheck.random(new Random(22), 2, 9, 7, 4), true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.activation("b2p"));
        assertEquals("b2p is read through by the layer after it, which does its work from b2p's input: its value is never"
                + " made (read that input instead)", e.getMessage());
        assertEquals(2, g.activation("b2d").dim(0)); // the depthwise's own value is kept
    }
}
