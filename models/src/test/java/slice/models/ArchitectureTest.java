package slice.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.ZeroPadding2D;

/**
 * The builders against Keras without running anything: parameter counts (as {@code model.count_params()} reports
 * them), layer names and order, output shapes at several input sizes, cuts at named layers.
 */
class ArchitectureTest {
    private static Graph mobilenet(float alpha, int size, boolean top) {
        return new ModelSpec(Architecture.MOBILENET_V2, alpha, size, top, 1000).build();
    }

    private static Graph inception(int size, boolean top) {
        return new ModelSpec(Architecture.INCEPTION_V3, 1f, size, top, 1000).build();
    }

    /**
     * {@link ModelSpec#MAX_SIZE}'s rule: built at it, the widest MobileNetV2 and InceptionV3 have no layer output within
     * a factor 8 of what one Java array holds (measured, in long arithmetic); one pixel more is refused before building.
     */
    @Test
    void atTheLargestSizeEveryActivationFitsAnArrayWithMargin() {
        for (Graph g : List.of(mobilenet(1.4f, ModelSpec.MAX_SIZE, false), inception(ModelSpec.MAX_SIZE, false))) {
            long largest = 0;
            for (Layer l : g.layers()) {
                long n = 1;
                for (int d : l.outputShape()) n *= d;
                largest = Math.max(largest, n);
            }
            assertTrue(largest > 0 && largest < Integer.MAX_VALUE / 8, "largest activation " + largest);
        }
        assertEquals("mobilenetv2 takes an input of at most 2048 pixels, got 2049",
                assertThrows(IllegalArgumentException.class, () -> mobilenet(0.35f, 2049, false)).getMessage());
        assertEquals("inceptionv3 takes an input of at most 2048 pixels, got 100000",
                assertThrows(IllegalArgumentException.class, () -> inception(100000, false)).getMessage());
    }

    /**
     * What {@code Graph.shareBuffers} says of an inference plan at batch 1 (no top): MobileNetV2-224's layer outputs
     * are 87 MB and share 4 arrays of 10 MB in all; InceptionV3-299's are 129 MB and share 6 arrays of 13 MB.
     */
    @Test
    void anInferencePlanSharesTheActivationsInAFewArrays() {
        assertSharing(mobilenet(1.0f, 224, false), 87, 4, 10);
        assertSharing(inception(299, false), 129, 6, 13);
    }

    private static void assertSharing(Graph g, int layerMegabytes, int arrays, int sharedMegabytes) {
        long perLayer = 0;
        for (Layer l : g.layers()) perLayer += 4L * l.outputSize();
        g.setTrainable(false);
        g.planInference(1);
        Set<float[]> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : g.executedNodes()) distinct.add(n.out().data);
        long shared = 0;
        for (float[] a : distinct) shared += 4L * a.length;
        assertEquals(layerMegabytes, Math.round(perLayer / 1e6), "MB of layer outputs");
        assertEquals(arrays, distinct.size(), "arrays");
        assertEquals(sharedMegabytes, Math.round(shared / 1e6), "MB in the shared arrays");
    }

    @Test
    void parameterCountsEqualKeras() {
        assertEquals(3_538_984, mobilenet(1.0f, 224, true).paramCount());
        assertEquals(2_257_984, mobilenet(1.0f, 224, false).paramCount());
        assertEquals(410_208, mobilenet(0.35f, 224, false).paramCount());
        assertEquals(706_224, mobilenet(0.5f, 224, false).paramCount());
        assertEquals(23_851_784, inception(299, true).paramCount());
        assertEquals(21_802_784, inception(299, false).paramCount());
        // Weights do not depend on the input size (the classifier sits after global pooling).
        assertEquals(2_257_984, mobilenet(1.0f, 96, false).paramCount());
        assertEquals(21_802_784, inception(75, false).paramCount());
    }

    @Test
    void mobileNetV2LayersInKerasOrderWithKerasNames() {
        Graph g = mobilenet(1.0f, 224, true);
        List<String> names = g.layers().stream().map(l -> l.name).toList();
        assertEquals(155, names.size(), "Keras' model.layers has 156 entries, the input included");
        assertEquals(List.of("Conv1", "bn_Conv1", "Conv1_relu",
                "expanded_conv_depthwise", "expanded_conv_depthwise_BN", "expanded_conv_depthwise_relu",
                "expanded_conv_project", "expanded_conv_project_BN",
                "block_1_expand", "block_1_expand_BN", "block_1_expand_relu", "block_1_pad",
                "block_1_depthwise", "block_1_depthwise_BN", "block_1_depthwise_relu", "block_1_project", "block_1_project_BN",
                "block_2_expand", "block_2_expand_BN", "block_2_expand_relu",
                "block_2_depthwise", "block_2_depthwise_BN", "block_2_depthwise_relu", "block_2_project", "block_2_project_BN",
                "block_2_add"), names.subList(0, 26));
        assertEquals(List.of("block_16_project", "block_16_project_BN", "Conv_1", "Conv_1_bn", "out_relu",
                "global_average_pooling2d", "predictions"), names.subList(names.size() - 7, names.size()));
        assertEquals(List.of("block_1_pad", "block_3_pad", "block_6_pad", "block_13_pad"),
                names.stream().filter(n -> n.endsWith("_pad")).toList());
        assertEquals(List.of("block_2_add", "block_4_add", "block_5_add", "block_7_add", "block_8_add", "block_9_add",
                "block_11_add", "block_12_add", "block_14_add", "block_15_add"),
                names.stream().filter(n -> n.endsWith("_add")).toList());
        BatchNorm bn = (BatchNorm) g.layer("block_5_expand_BN");
        assertEquals(1e-3f, bn.epsilon);
        assertEquals(0.999f, bn.momentum);
        assertEquals(4, bn.weights().size(), "gamma, beta, moving_mean, moving_variance");
    }

    @Test
    void mobileNetV2ChannelRoundingFollowsMakeDivisible() {
        assertEquals(16, MobileNetV2.makeDivisible(32 * 0.35, 8), "11.2 rounds to 8, which loses > 10%, so 16");
        assertEquals(8, MobileNetV2.makeDivisible(5, 8));
        assertEquals(16, MobileNetV2.makeDivisible(12, 8));
        assertEquals(1792, MobileNetV2.makeDivisible(1280 * 1.4, 8));
        // Channels at alpha 0.35 and 0.5 as the reference activations record them.
        int[] c035 = {16, 8, 48, 8, 96, 192, 112, 1280};
        int[] c05 = {16, 8, 48, 16, 96, 288, 160, 1280};
        String[] at = {"Conv1_relu", "expanded_conv_project_BN", "block_1_depthwise_relu", "block_2_add",
                "block_6_depthwise_relu", "block_13_depthwise_relu", "block_16_project_BN", "out_relu"};
        Graph g035 = mobilenet(0.35f, 224, false), g05 = mobilenet(0.5f, 224, false);
        for (int i = 0; i < at.length; i++) {
            assertEquals(c035[i], g035.layer(at[i]).outputShape()[2], at[i] + " at alpha 0.35");
            assertEquals(c05[i], g05.layer(at[i]).outputShape()[2], at[i] + " at alpha 0.5");
        }
        assertArrayEquals(new int[] {7, 7, 1792}, mobilenet(1.4f, 224, false).layer("out_relu").outputShape(),
                "the last conv widens only when alpha > 1");
        assertArrayEquals(new int[] {7, 7, 1280}, mobilenet(0.75f, 224, false).layer("out_relu").outputShape());
    }

    @Test
    void mobileNetV2ShapesAtOtherSizes() {
        int[][] sizeToMap = {{32, 1}, {96, 3}, {128, 4}, {160, 5}, {192, 6}, {224, 7}, {225, 8}, {33, 2}, {101, 4}};
        for (int[] s : sizeToMap) {
            Graph g = mobilenet(1.0f, s[0], true);
            assertArrayEquals(new int[] {s[1], s[1], 1280}, g.layer("out_relu").outputShape(), "size " + s[0]);
            assertArrayEquals(new int[] {1000}, g.outputShape());
        }
        // correct_pad: (0, 1) on an even axis, (1, 1) on an odd one; the padded depthwise then runs valid.
        ZeroPadding2D evenPad = (ZeroPadding2D) mobilenet(1.0f, 224, false).layer("block_1_pad");
        assertArrayEquals(new int[] {0, 1, 0, 1}, new int[] {evenPad.top, evenPad.bottom, evenPad.left, evenPad.right});
        Graph odd = mobilenet(1.0f, 225, false);
        ZeroPadding2D oddPad = (ZeroPadding2D) odd.layer("block_1_pad");
        assertArrayEquals(new int[] {1, 1, 1, 1}, new int[] {oddPad.top, oddPad.bottom, oddPad.left, oddPad.right});
        assertArrayEquals(new int[] {57, 57, 96}, odd.layer("block_1_depthwise").outputShape());
        assertArrayEquals(new int[] {1280}, odd.outputShape(), "the no-top model ends at the pooled features");
    }

    @Test
    void inceptionV3LayersInKerasOrderWithKerasNames() {
        Graph g = inception(299, true);
        List<String> names = g.layers().stream().map(l -> l.name).toList();
        assertEquals(312, names.size(), "Keras' model.layers has 313 entries, the input included");
        assertEquals(List.of("conv2d_1", "batch_normalization_1", "activation_1", "conv2d_2", "batch_normalization_2",
                "activation_2", "conv2d_3", "batch_normalization_3", "activation_3", "max_pooling2d_1"), names.subList(0, 10));
        assertEquals(94, names.stream().filter(n -> n.startsWith("conv2d_")).count());
        assertEquals(List.of("max_pooling2d_1", "max_pooling2d_2", "max_pooling2d_3", "max_pooling2d_4"),
                names.stream().filter(n -> n.startsWith("max_pooling2d")).toList());
        assertEquals(9, names.stream().filter(n -> n.startsWith("average_pooling2d")).count());
        assertEquals(List.of("mixed0", "mixed1", "mixed2", "mixed3", "mixed4", "mixed5", "mixed6", "mixed7", "mixed8",
                "mixed9_0", "concatenate_1", "mixed9", "mixed9_1", "concatenate_2", "mixed10"),
                names.stream().filter(n -> n.startsWith("mixed") || n.startsWith("concatenate")).toList());
        assertEquals(List.of("conv2d_94", "batch_normalization_94", "activation_94", "mixed10", "avg_pool", "predictions"),
                names.subList(names.size() - 6, names.size()));
        // Branch order inside mixed0: the 1x1 branch's conv is conv2d_6, the 5x5 branch ends at conv2d_8, and the pool
        // branch (created last) is conv2d_12, fed by average_pooling2d_1.
        assertEquals(List.of("activation_6", "activation_8", "activation_11", "activation_12"),
                g.layer("mixed0").inputs().stream().map(l -> l.name).toList());
        assertEquals("average_pooling2d_1", g.layer("conv2d_12").inputs().get(0).name);
        BatchNorm bn = (BatchNorm) g.layer("batch_normalization_40");
        assertEquals(3, bn.weights().size(), "no gamma: beta, moving_mean, moving_variance");
        assertEquals(1e-3f, bn.epsilon);
        assertEquals(0.99f, bn.momentum);
        int[][] channels = {{0, 256}, {1, 288}, {2, 288}, {3, 768}, {4, 768}, {7, 768}, {8, 1280}, {9, 2048}, {10, 2048}};
        for (int[] c : channels) {
            int spatial = c[0] <= 2 ? 35 : c[0] <= 7 ? 17 : 8;
            assertArrayEquals(new int[] {spatial, spatial, c[1]}, g.layer("mixed" + c[0]).outputShape(), "mixed" + c[0]);
        }
    }

    @Test
    void inceptionV3ShapesAtOtherSizes() {
        int[][] sizeToMap = {{75, 1}, {139, 3}, {299, 8}, {300, 8}, {331, 9}, {76, 1}};
        for (int[] s : sizeToMap) {
            Graph g = inception(s[0], false);
            assertArrayEquals(new int[] {s[1], s[1], 2048}, g.layer("mixed10").outputShape(), "size " + s[0]);
            assertArrayEquals(new int[] {2048}, g.outputShape());
        }
        Graph g = inception(299, false);
        assertArrayEquals(new int[] {149, 149, 32}, g.layer("activation_1").outputShape());
        assertArrayEquals(new int[] {73, 73, 64}, g.layer("max_pooling2d_1").outputShape());
        assertArrayEquals(new int[] {35, 35, 192}, g.layer("max_pooling2d_2").outputShape());
        assertArrayEquals(new int[] {8, 8, 768}, g.layer("mixed9_0").outputShape());
    }

    @Test
    void cutAtNamedLayers() {
        Graph mobile = mobilenet(1.0f, 224, true);
        Graph cut = mobile.cutAt("block_13_expand_relu");
        assertArrayEquals(new int[] {14, 14, 576}, cut.outputShape());
        assertEquals("block_13_expand_relu", cut.layers().get(cut.layers().size() - 1).name);
        assertFalse(cut.hasLayer("block_13_pad"));
        Graph tail = mobile.from("block_13_expand_relu");
        assertArrayEquals(new int[] {14, 14, 576}, tail.inputShape());
        assertEquals(cut.paramCount() + tail.paramCount(), mobile.paramCount());

        Graph toMixed8 = inception(299, false).cutAt("mixed8");
        assertArrayEquals(new int[] {8, 8, 1280}, toMixed8.outputShape());
        assertTrue(toMixed8.hasLayer("conv2d_76") && toMixed8.hasLayer("batch_normalization_76"));
        assertFalse(toMixed8.hasLayer("conv2d_77"), "the 2015 weights file ends at conv2d_76");
        Layer last = toMixed8.layers().get(toMixed8.layers().size() - 1);
        assertEquals("mixed8", last.name);
        assertThrows(IllegalArgumentException.class, () -> inception(299, false).cutAt("predictions"));
    }

    @Test
    void specsRejectBadInputWithOneLine() {
        assertEquals("unknown model 'resnet50': choose one of mobilenetv2, inceptionv3, face-resnet",
                assertThrows(IllegalArgumentException.class, () -> Architecture.byName("resnet50")).getMessage());
        assertEquals(Architecture.INCEPTION_V3, Architecture.byName("InceptionV3"));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("mobilenetv2", 0.4f, 224, false, 0));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("mobilenetv2", 1f, 31, false, 0));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("inceptionv3", 1f, 74, false, 0));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("inceptionv3", 0.5f, 299, false, 0));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("inceptionv3", 1f, 299, true, 0));
        ModelSpec spec = ModelSpec.of("mobilenetv2", 0.5f, 160, false, 0);
        assertEquals("global_average_pooling2d", spec.featureLayer());
        assertEquals("avg_pool", ModelSpec.of("inceptionv3", 1f, 299, false, 0).featureLayer());
        assertEquals("RGB, x / 127.5 - 1.0", spec.preprocessing().describe());
        float[] px = {0f, 127.5f, 255f};
        spec.preprocessing().apply(px, 0, 3);
        assertArrayEquals(new float[] {-1f, 0f, 1f}, px);

        assertEquals("face-resnet takes only 150 pixels, got 160",
                assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("face-resnet", 1f, 160, false, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("face-resnet", 0.5f, 150, false, 0));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("face-resnet", 1f, 150, true, 10));
        ModelSpec face = ModelSpec.of("face-resnet", 1f, 150, false, 0);
        assertEquals("mean", face.featureLayer());
        assertEquals("RGB, (x - [122.782, 117.001, 104.298]) / 255.0", face.preprocessing().describe());
        assertEquals(5_614_592L, face.build().paramCount());
    }
}
