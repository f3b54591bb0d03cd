package slice.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static slice.engine.LayerHarness.atOneAndTwoThreads;
import static slice.engine.LayerHarness.buffer;
import static slice.engine.LayerHarness.withRandomWeights;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Tensor;

/**
 * Inference fusion ({@link Graph#plan} folding frozen batch norms, scales and ReLUs into the convolution before them, and a
 * zero padding into the depthwise convolution after it): the
 * fused network gives bit-identical outputs to the same layers run one by one (tolerance 0, since the epilogue runs
 * the same kernels on the same numbers), at one and two threads, and fuses only where it is allowed.
 */
class EpilogueTest {
    /**
     * x [11, 9, 5] → 3×3/2 conv (17, bias) → BN → ReLU6 → zero padding (top 1, right 2) → 3×3/2 depthwise (same) →
     * BN (no γ) → ReLU → { 1×1 conv (33) → BN ; 1×1 conv (33) } → Add. Odd channel counts hit the vector kernels'
     * scalar tails; the depthwise reads through the asymmetric padding on top of its own; the ReLU output feeds two
     * layers (no fusion past a fan-out), the last BN is followed by an Add (fused alone).
     */
    private static final class Net {
        final Input x = new Input("x", 11, 9, 5);
        final Conv2D c1 = new Conv2D("c1", x, 17, 3, 3, 2, 2, Padding.SAME, true);
        final BatchNorm b1 = new BatchNorm("b1", c1, true, 1e-3f, 0.99f);
        final ReLU r1 = new ReLU("r1", b1, 6f);
        final ZeroPadding2D p1 = new ZeroPadding2D("p1", r1, 1, 0, 0, 2);
        final DepthwiseConv2D d1 = new DepthwiseConv2D("d1", p1, 3, 3, 2, Padding.SAME, false);
        final BatchNorm b2 = new BatchNorm("b2", d1, false, 1e-3f, 0.99f);
        final ReLU r2 = new ReLU("r2", b2);
        final Conv2D c2 = new Conv2D("c2", r2, 33, 1, 1, 1, 1, Padding.SAME, false);
        final BatchNorm b3 = new BatchNorm("b3", c2, true, 1e-3f, 0.99f);
        final Conv2D c3 = new Conv2D("c3", r2, 33, 1, 1, 1, 1, Padding.VALID, false);
        final Add sum = new Add("sum", b3, c3);
        final Graph graph = new Graph(x, sum);

        Net(long seed) {
            withRandomWeights(graph, seed, 1f);
        }
    }

    /**
     * Convolutions big enough for the GEMM's blocks and threads, each ending a chain the GEMM maps tile by tile:
     * x [24, 20, 40] → 3×3 conv (33, bias; k = 360 spans two k blocks, two images (960 rows) two column tiles)
     * → BN → ReLU6 → 1×1 conv (65) → BN (no γ) → ReLU → 1×1 conv (17, bias) → ReLU6 (a map without affine step)
     * → 5×5/10 conv (9; 2×2 outputs per image, fewer rows than the micro-kernel's 8) → BN → ReLU6.
     */
    private static final class WideNet {
        final Input x = new Input("x", 24, 20, 40);
        final Conv2D c1 = new Conv2D("c1", x, 33, 3, 3, 1, 1, Padding.SAME, true);
        final ReLU r1 = new ReLU("r1", new BatchNorm("b1", c1, true, 1e-3f, 0.99f), 6f);
        final Conv2D c2 = new Conv2D("c2", r1, 65, 1, 1, 1, 1, Padding.SAME, false);
        final ReLU r2 = new ReLU("r2", new BatchNorm("b2", c2, false, 1e-3f, 0.99f));
        final Conv2D c3 = new Conv2D("c3", r2, 17, 1, 1, 1, 1, Padding.SAME, true);
        final ReLU r3 = new ReLU("r3", c3, 6f);
        final Conv2D c4 = new Conv2D("c4", r3, 9, 5, 5, 10, 10, Padding.VALID, false);
        final ReLU r4 = new ReLU("r4", new BatchNorm("b4", c4, true, 1e-3f, 0.99f), 6f);
        final Graph graph = new Graph(x, r4);
        final List<Layer> chainEnds = List.of(r1, r2, r3, r4);

        WideNet(long seed) {
            withRandomWeights(graph, seed, 0.3f);
        }

        /** The outputs of the four chain ends, one after the other. */
        float[] outputs(int n) {
            float[] all = new float[0];
            for (Layer l : chainEnds) {
                int size = n * l.outputSize(), at = all.length;
                all = Arrays.copyOf(all, at + size);
                System.arraycopy(graph.activation(l).data, 0, all, at, size);
            }
            return all;
        }
    }

    @Test
    void convolutionsMapEachGemmTileAsTheLayersWouldAtAnyThreadCount() {
        for (int n : new int[] {1, 2}) {
            WideNet net = new WideNet(5);
            Tensor x = input(n, new int[] {24, 20, 40}, 6);
            net.graph.setTrainable(true);
            net.graph.plan(n);
            net.graph.forward(x, false);
            float[] expected = net.outputs(n);
            net.graph.setTrainable(false);
            net.graph.plan(n);
            assertSame(buffer(net.graph, net.c1), buffer(net.graph, net.r1));
            assertSame(buffer(net.graph, net.c3), buffer(net.graph, net.r3));
            assertSame(buffer(net.graph, net.c4), buffer(net.graph, net.r4));
            atOneAndTwoThreads(t -> {
                net.graph.forward(x, false);
                assertArrayEquals(expected, net.outputs(n), "batch " + n + ", threads " + t);
            });
        }
    }

    /**
     * A residual block of scale layers (dlib's ResNet): x [13, 11, 7] → 3×3 conv (bias) → scale → ReLU → 3×3 conv (bias)
     * → scale → Add(x) → ReLU. Frozen, each conv applies its scale (and the first its ReLU); the outputs are those of
     * the layers run one by one, bit for bit, at one and two threads.
     */
    @Test
    void scaleLayersFuseIntoTheConvolutionBeforeThem() {
        Input x = new Input("x", 13, 11, 7);
        Conv2D c1 = new Conv2D("c1", x, 7, 3, 3, 1, 1, Padding.SAME, true);
        Scale s1 = new Scale("s1", c1);
        ReLU r1 = new ReLU("r1", s1);
        Conv2D c2 = new Conv2D("c2", r1, 7, 3, 3, 1, 1, Padding.SAME, true);
        Scale s2 = new Scale("s2", c2);
        ReLU out = new ReLU("out", new Add("add", s2, x));
        Graph graph = new Graph(x, out);
        withRandomWeights(graph, 7, 1f);
        Tensor in = input(3, new int[] {13, 11, 7}, 8);
        graph.plan(3);
        assertNotSame(buffer(graph, c1), buffer(graph, s1));
        Tensor y = graph.forward(in, false);
        float[] expected = Arrays.copyOf(y.data, y.size());
        graph.setTrainable(false);
        graph.plan(3);
        assertSame(buffer(graph, c1), buffer(graph, r1));
        assertSame(buffer(graph, c2), buffer(graph, s2));
        atOneAndTwoThreads(t -> {
            Tensor frozen = graph.forward(in, false);
            assertArrayEquals(expected, Arrays.copyOf(frozen.data, frozen.size()), "threads " + t);
        });
    }

    private static Tensor input(int n, long seed) {
        return input(n, new int[] {11, 9, 5}, seed);
    }

    private static Tensor input(int n, int[] shape, long seed) {
        Tensor t = new Tensor(new int[] {n, shape[0], shape[1], shape[2]});
        Random rnd = new Random(seed);
        for (int i = 0; i < t.size(); i++) t.data[i] = rnd.nextFloat() * 4 - 2;
        return t;
    }

    /** The output with every layer running on its own: trainable layers keep their gradients, so nothing fuses. */
    private static float[] unfused(Net net, Tensor x) {
        net.graph.setTrainable(true);
        net.graph.plan(x.dim(0));
        assertNotSame(buffer(net.graph, net.c1), buffer(net.graph, net.b1));
        Tensor y = net.graph.forward(x, false);
        return Arrays.copyOf(y.data, y.size());
    }

    @Test
    void frozenNetworkFusesAndGivesIdenticalOutputsAtAnyThreadCount() {
        Net net = new Net(1);
        Tensor x = input(3, 2);
        float[] expected = unfused(net, x);
        net.graph.setTrainable(false);
        net.graph.plan(3);
        // Each chain shares its convolution's buffer; the fan-out and the Add stop fusion.
        assertSame(buffer(net.graph, net.c1), buffer(net.graph, net.b1));
        assertSame(buffer(net.graph, net.c1), buffer(net.graph, net.r1));
        assertSame(buffer(net.graph, net.d1), buffer(net.graph, net.r2));
        assertSame(buffer(net.graph, net.c2), buffer(net.graph, net.b3));
        assertNotSame(buffer(net.graph, net.r2), buffer(net.graph, net.c2));
        assertNotSame(buffer(net.graph, net.b3), buffer(net.graph, net.sum));
        Tensor padded = buffer(net.graph, net.p1);
        Arrays.fill(padded.data, 0f);
        atOneAndTwoThreads(t -> {
            Tensor y = net.graph.forward(x, false);
            assertArrayEquals(expected, Arrays.copyOf(y.data, y.size()), "inference, threads " + t);
            y = net.graph.forward(x, true); // frozen batch norms use their moving statistics in training too
            assertArrayEquals(expected, Arrays.copyOf(y.data, y.size()), "training mode, threads " + t);
        });
        assertArrayEquals(new float[padded.data.length], padded.data, "the depthwise read through the padding");
    }

    @Test
    void nothingFusesWhereAGradientFlowsAndACutEndsTheChain() {
        Net net = new Net(3);
        Tensor x = input(2, 4);
        float[] expected = unfused(net, x);
        // Only c2 learns: the frozen prefix (up to r2, all c2 and c3 read of it) runs as an inference plan of its own,
        // which fuses; b3 (which passes c2's gradient back) does not fuse.
        net.graph.setTrainable(false);
        net.c2.setTrainable(true);
        net.graph.plan(2);
        Graph frozen = net.graph.frozenPrefix();
        assertSame(net.r2, frozen.output());
        assertSame(buffer(frozen, net.c1), buffer(frozen, net.r1));
        assertThrows(IllegalStateException.class, () -> net.graph.activation("r1"), "a layer inside the prefix");
        assertNotSame(buffer(net.graph, net.c2), buffer(net.graph, net.b3));
        Tensor y = net.graph.forward(x, true);
        assertArrayEquals(expected, Arrays.copyOf(y.data, y.size()));
        net.graph.backward(new Tensor(y.shape()));

        // The frozen prefix reads r1's value from the chain c1 → b1 → r1 computed in place; the fused-away layers have
        // no value of their own in that graph, and a graph from r1 on (sharing the layers) has its own buffers.
        net.graph.setTrainable(false);
        Graph prefix = net.graph.cutAt("r1");
        prefix.plan(2);
        float[] r1 = Arrays.copyOf(prefix.forward(x, false).data, 2 * net.r1.outputSize());
        assertArrayEquals(r1, Arrays.copyOf(prefix.activation("r1").data, r1.length));
        assertThrows(IllegalStateException.class, () -> prefix.activation("c1"));
        assertThrows(IllegalStateException.class, () -> prefix.activation("b1"));
        Graph tail = net.graph.from("r1");
        tail.plan(2);
        tail.forward(Tensor.wrap(new float[r1.length], Tensor.withBatch(2, net.r1.outputShape())), false);
        assertArrayEquals(r1, Arrays.copyOf(prefix.activation("r1").data, r1.length), "the tail has buffers of its own");

        // A graph cut at b1 keeps b1 as its output: c1 takes the BN over, nothing beyond the cut.
        net.graph.setTrainable(true);
        Graph cut = net.graph.cutAt("b1");
        cut.plan(2);
        float[] reference = Arrays.copyOf(cut.forward(x, false).data, 2 * cut.output().outputSize());
        cut.setTrainable(false);
        cut.plan(2);
        assertSame(buffer(cut, net.c1), buffer(cut, net.b1));
        assertArrayEquals(reference, Arrays.copyOf(cut.forward(x, false).data, reference.length));
    }
}
