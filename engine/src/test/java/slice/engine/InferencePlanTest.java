package slice.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static slice.engine.LayerHarness.withRandomWeights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import slice.engine.layers.Add;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Concatenate;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.Padding;
import slice.engine.layers.ReLU;
import slice.engine.layers.ZeroPadding2D;

/**
 * {@link Graph#planInference}: a batch run in slices gives exactly (tolerance 0: no computation mixes images) the
 * output of a whole-batch pass, for slices that divide the batch or not, at one and two threads (two threads take
 * slices of the batch in turn, each through its own buffers); only frozen graphs qualify.
 */
class InferencePlanTest {
    /** x [13, 7, 3] → 3×3/2 conv (17) → BN → ReLU6 → 3×3 depthwise → BN → ReLU → pool → dense (5). */
    private static Graph network() {
        Input x = new Input("x", 13, 7, 3);
        Layer l = new Conv2D("c", x, 17, 3, 3, 2, 2, Padding.SAME, false);
        l = new ReLU("r1", new BatchNorm("b1", l, true, 1e-3f, 0.99f), 6f);
        l = new DepthwiseConv2D("d", l, 3, 3, 1, Padding.SAME, true);
        l = new ReLU("r2", new BatchNorm("b2", l, true, 1e-3f, 0.99f));
        return withRandomWeights(new Graph(x, new Dense("fc", new GlobalAveragePooling2D("pool", l), 5, true)), 5, 1f);
    }

    @Test
    void slicedBatchEqualsTheWholeBatch() {
        Graph g = network();
        Tensor x = GradCheck.random(new Random(6), 7, 13, 7, 3);
        g.setTrainable(false);
        g.plan(7);
        float[] expected = Arrays.copyOf(g.forward(x, false).data, 7 * 5);
        LayerHarness.atOneAndTwoThreads(t -> {
            for (int slice : new int[] {1, 3, 7}) {
                g.planInference(7, slice);
                Tensor y = g.forward(x, false);
                assertArrayEquals(new int[] {7, 5}, y.shape());
                assertArrayEquals(expected, Arrays.copyOf(y.data, y.size()), "slices of " + slice + ", threads " + t);
            }
        });
        // A larger batch re-plans with the same slices; the default plan of this small network is a single slice.
        g.planInference(2, 2);
        Tensor x2 = Tensor.wrap(Arrays.copyOf(x.data, x.size()), 7, 13, 7, 3);
        assertArrayEquals(expected, Arrays.copyOf(g.forward(x2, false).data, 7 * 5));
        assertEquals(7, g.capacity());
        g.planInference(4);
        assertArrayEquals(Arrays.copyOf(expected, 3 * 5),
                Arrays.copyOf(g.forward(Tensor.wrap(Arrays.copyOf(x.data, 3 * 13 * 7 * 3), 3, 13, 7, 3), false).data, 3 * 5));
    }

    /**
     * x [12, 12, 16] → 3×3 conv (16, Winograd: 36 tiles per image, so it pays from 2 images) → BN → ReLU → pool →
     * dense (5). Slices of at most 2 images cut 7 images unevenly (one thread: 2 + 2 + 2 + 1; two threads take 2, 2, 1,
     * 1, 1 between them): every slice takes the Winograd product the plan chose for its capacity, as the whole batch
     * does, even one of 1 image.
     */
    @Test
    void threadsShareTheBatchWithTheNumbersOfTheWholeBatch() {
        Input in = new Input("x", 12, 12, 16);
        Layer l = new Conv2D("c", in, 16, 3, 3, 1, 1, Padding.SAME, true);
        l = new ReLU("r", new BatchNorm("b", l, true, 1e-3f, 0.99f));
        Graph g = withRandomWeights(new Graph(in, new Dense("fc", new GlobalAveragePooling2D("pool", l), 5, true)), 3, 1f);
        assertSlicesOfTwoGiveTheWholeBatch(g, GradCheck.random(new Random(4), 7, 12, 12, 16));
    }

    /**
     * A pass takes the weights as they are when it starts: the Winograd convolutions keep their kernel transforms
     * from one slice to the next of a pass ({@link Conv2D}), and make them again in the next pass. The network above
     * (3×3) and the factorised pair below (7×1, 1×7) run sliced, their kernels change, and they run sliced again: the
     * output is a whole-batch pass's with the new kernels, at one and two threads.
     */
    @Test
    void aPassAfterTheKernelsChangeTakesTheNewKernels() {
        Input in = new Input("x", 12, 12, 16);
        Layer l = new Conv2D("c", in, 16, 3, 3, 1, 1, Padding.SAME, true);
        l = new Conv2D("c71", new ReLU("r", new BatchNorm("b", l, true, 1e-3f, 0.99f)), 16, 7, 1, 1, 1, Padding.SAME, false);
        l = new Conv2D("c17", l, 16, 1, 7, 1, 1, Padding.SAME, false);
        Graph g = withRandomWeights(new Graph(in, new Dense("fc", new GlobalAveragePooling2D("pool", l), 5, true)), 11, 1f);
        Tensor x = GradCheck.random(new Random(12), 7, 12, 12, 16);
        g.setTrainable(false);
        LayerHarness.atOneAndTwoThreads(t -> {
            g.planInference(7, 2);
            g.forward(x, false);
            for (String name : new String[] {"c", "c71", "c17"}) {
                float[] k = ((Conv2D) g.layer(name)).kernel.value.data;
                for (int i = 0; i < k.length; i++) k[i] = -0.5f * k[i] + 0.01f * (i % 7);
            }
            float[] sliced = Arrays.copyOf(g.forward(x, false).data, 7 * 5);
            g.plan(7);
            assertArrayEquals(Arrays.copyOf(g.forward(x, false).data, 7 * 5), sliced, "threads " + t);
        });
    }

    /**
     * The same with InceptionV3's factorised pair: x [6, 6, 16] → 7×1 conv (16) → BN → ReLU → 1×7 conv (16) → pool →
     * dense (5), both convolutions Winograd F(2, 7) (18 tiles per image, so it pays from 2 images).
     */
    @Test
    void oneBySevenPairSharesTheBatchWithTheNumbersOfTheWholeBatch() {
        Input in = new Input("x", 6, 6, 16);
        Layer l = new Conv2D("c71", in, 16, 7, 1, 1, 1, Padding.SAME, true);
        l = new Conv2D("c17", new ReLU("r", new BatchNorm("b", l, true, 1e-3f, 0.99f)), 16, 1, 7, 1, 1, Padding.SAME, false);
        Graph g = withRandomWeights(new Graph(in, new Dense("fc", new GlobalAveragePooling2D("pool", l), 5, true)), 7, 1f);
        assertSlicesOfTwoGiveTheWholeBatch(g, GradCheck.random(new Random(5), 7, 6, 6, 16));
    }

    /** Freezes {@code g} (5 outputs) and runs the 7 images of {@code x} whole, then in slices of 2 at one and two threads. */
    private static void assertSlicesOfTwoGiveTheWholeBatch(Graph g, Tensor x) {
        g.setTrainable(false);
        g.plan(7);
        float[] expected = Arrays.copyOf(g.forward(x, false).data, 7 * 5);
        LayerHarness.atOneAndTwoThreads(t -> {
            g.planInference(7, 2);
            assertArrayEquals(expected, Arrays.copyOf(g.forward(x, false).data, 7 * 5), "threads " + t);
        });
    }

    /**
     * The slices of an inference pass: one thread takes full slices; two take full ones while more than about two
     * slices per thread are left, then shorter ones, down to single images.
     */
    @Test
    void slicesShrinkTowardsTheEndOfTheBatchOnSeveralThreads() {
        assertEquals(List.of(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2), slices(32, 3, 1));
        assertEquals(List.of(3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 1, 1), slices(32, 3, 2));
        assertEquals(List.of(1, 1), slices(2, 3, 2));
        assertEquals(List.of(3, 2), slices(5, 3, 1));
    }

    /** The sizes of the slices {@link Graph#nextSliceImages} cuts {@code n} images into. */
    private static List<Integer> slices(int n, int slice, int threads) {
        List<Integer> sizes = new ArrayList<>();
        for (int left = n; left > 0; left -= sizes.get(sizes.size() - 1)) sizes.add(Graph.nextSliceImages(left, slice, threads));
        return sizes;
    }

    /**
     * x → 1×1 conv → ReLU = r, read by three branches (a 3×3 conv + BN + ReLU; a zero padding read through by a
     * depthwise conv + BN; the residual Add of r and that) that a concatenation joins, then pool and dense: r must
     * outlive both branches, the padding's input outlives the padding.
     */
    static Graph branchingNetwork() {
        Input x = new Input("x", 9, 7, 4);
        Layer r = new ReLU("r", new Conv2D("c1", x, 8, 1, 1, 1, 1, Padding.VALID, false));
        Layer b1 = new ReLU("b1r", new BatchNorm("b1n", new Conv2D("b1c", r, 8, 3, 3, 1, 1, Padding.SAME, false), true, 1e-3f, 0.99f));
        Layer b2 = new BatchNorm("b2n", new DepthwiseConv2D("b2d", new ZeroPadding2D("b2p", r, 1, 1, 1, 1), 3, 3, 1, Padding.VALID, false), true, 1e-3f, 0.99f);
        Layer cat = new Concatenate("cat", b1, new Add("add", r, b2));
        return withRandomWeights(new Graph(x, new Dense("fc", new GlobalAveragePooling2D("pool", cat), 5, true)), 8, 1f);
    }

    @Test
    void layersShareBuffersWithoutChangingTheOutput() {
        Graph g = branchingNetwork();
        g.setTrainable(false);
        Tensor x = GradCheck.random(new Random(9), 3, 9, 7, 4);
        g.plan(3);
        float[] expected = Arrays.copyOf(g.forward(x, false).data, 3 * 5);
        g.planInference(3, 3);
        assertArrayEquals(expected, Arrays.copyOf(g.forward(x, false).data, 3 * 5));
        Set<float[]> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.executedNodes()) arrays.add(n.out().data);
        // 12 layers, 7 executed (the BNs and ReLUs ride on the convolutions, the padding is read through). Arrays:
        // r; the 3×3 branch; the depthwise branch (reusing the padding's, never written); the add, live with r and the
        // depthwise branch; the concatenation, wider than any free one. Pool and dense reuse freed arrays.
        assertEquals(7, g.executedNodes().size());
        assertEquals(5, arrays.size());
    }

    @Test
    void onlyAFrozenGraphPlansInference() {
        Graph g = network();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.planInference(4));
        assertEquals("layer c is trainable: freeze the graph before planning inference", e.getMessage());
        g.setTrainable(false);
        g.planInference(4);
        assertThrows(IllegalStateException.class, () -> g.backward(new Tensor(new int[] {4, 5})));
    }
}
