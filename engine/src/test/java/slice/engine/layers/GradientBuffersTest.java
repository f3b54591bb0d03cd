package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.GradCheck;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.LayerHarness;
import slice.engine.Param;
import slice.engine.Tensor;

/**
 * The gradient-buffer contract of {@link slice.engine.Node#addsToInGrad}: in a graph nothing is zeroed before a
 * backward; the first consumer of an input overwrites its gradient and the later ones add. Checked on a network with
 * every layer kind, fan-outs (a residual {@link Add}, a {@link Concatenate} sharing an input with a convolution, an
 * {@link Add} of one input to itself) and both kinds of writer (those that overwrite in their kernel and those that
 * zero before a scatter).
 */
class GradientBuffersTest {
    private static final long DROPOUT_SEED = 7;

    /** The network and the dropout whose masks are reseeded before each forward, so passes repeat exactly. */
    private record Net(Graph graph, Dropout dropout) {
        Tensor forward(Tensor x) {
            dropout.reseed(DROPOUT_SEED);
            return graph.forward(x, true);
        }
    }

    private static Net net() {
        Random rnd = new Random(3);
        Input x = new Input("x", 9, 9, 3);
        Layer conv = new Conv2D("conv", x, 8, 3, 3, 1, 1, Padding.SAME, true);
        Layer a = new ReLU("relu6", new BatchNorm("bn", conv, true, 1e-3f, 0.9f), 6f);
        Layer pad = new ZeroPadding2D("pad", a, 1, 1, 1, 1);
        Layer b = new LeakyReLU("leaky", new DepthwiseConv2D("dw", pad, 3, 3, 1, Padding.VALID, true), 0.1f);
        Layer residual = new Add("residual", a, b);
        Layer widened = new ChannelPadding("widen", new Scale("scale", new Conv2D("pw", residual, 8, 1, 1, 1, 1, Padding.VALID, false)), 4);
        Layer concat = new Concatenate("concat", widened, residual);
        Layer pooled = new AveragePooling2D("avg", new MaxPooling2D("max", concat, 2, 2, Padding.VALID), 3, 1, Padding.SAME);
        Layer gap = new GlobalAveragePooling2D("gap", pooled);
        Dropout dropout = new Dropout("dropout", new Add("twice", gap, gap), 0.25f, DROPOUT_SEED);
        Layer out = new Dense("dense", dropout, 5, true);
        Graph g = new Graph(x, out);
        for (Layer l : g.layers()) GradCheck.randomizeWeights(l, rnd, -1, 1);
        for (Layer l : g.layers()) {
            if (l instanceof BatchNorm bn) Arrays.fill(bn.movingVariance.value.data, 1f);
        }
        g.setTrainable(true);
        g.plan(2);
        return new Net(g, dropout);
    }

    private static float[] parameterGradients(Graph g) {
        List<float[]> parts = new ArrayList<>();
        for (Param p : g.trainableParams()) parts.add(p.grad.data.clone());
        return BatchNormTest.concat(parts.toArray(float[][]::new));
    }

    @Test
    void gradientsDoNotDependOnWhatTheBuffersHeld() {
        Random rnd = new Random(4);
        Tensor x = GradCheck.random(rnd, 2, 9, 9, 3), r = GradCheck.random(rnd, 2, 5);
        Net clean = net(), poisoned = net();
        clean.forward(x);
        clean.graph().backward(r);
        float[] expected = parameterGradients(clean.graph());
        for (float v : expected) assertTrue(Float.isFinite(v));
        for (int pass = 0; pass < 2; pass++) { // fresh buffers, then the previous pass's values: both poisoned
            for (Layer l : poisoned.graph().layers()) { // the padding, read through by the depthwise, has no gradient buffer
                Tensor gradient = LayerHarness.gradient(poisoned.graph(), l);
                if (gradient != null) Arrays.fill(gradient.data, Float.NaN);
            }
            poisoned.forward(x);
            poisoned.graph().backward(r);
            assertArrayEquals(expected, parameterGradients(poisoned.graph()), "pass " + pass);
        }
        clean.forward(x); // and a second pass onto the first one's values, without poison
        clean.graph().backward(r);
        assertArrayEquals(expected, parameterGradients(clean.graph()));
    }

    /**
     * The first convolution's gradients need every fan-out summed: compared with central differences of the whole
     * network's loss {@code Σ r ⊙ out} (double sums, as {@link GradCheck} does).
     */
    @Test
    void fannedOutGradientsAreSummed() {
        Random rnd = new Random(5);
        Tensor x = GradCheck.random(rnd, 2, 9, 9, 3), r = GradCheck.random(rnd, 2, 5);
        Net net = net();
        net.forward(x);
        net.graph().backward(r);
        Conv2D conv = (Conv2D) net.graph().layer("conv");
        float[] analytic = conv.kernel.grad.data.clone();
        float h = 1e-2f;
        for (int s = 0; s < 40; s++) {
            int i = rnd.nextInt(analytic.length);
            float saved = conv.kernel.value.data[i];
            conv.kernel.value.data[i] = saved + h;
            double plus = loss(net, x, r);
            conv.kernel.value.data[i] = saved - h;
            double minus = loss(net, x, r);
            conv.kernel.value.data[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, analytic[i], 2e-2 * Math.max(1, Math.abs(numeric)), "conv kernel gradient at " + i);
        }
    }

    private static double loss(Net net, Tensor x, Tensor r) {
        Tensor y = net.forward(x);
        double l = 0;
        for (int i = 0; i < r.size(); i++) l += (double) r.data[i] * y.data[i];
        return l;
    }
}
