package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.SharedData;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.Padding;

/**
 * The real files of {@code shared/data/models}: the official Keras MobileNetV2 α0.35 file (older layer names, loaded
 * in file order) and the two InceptionV3-layout files (loaded by the number in {@code conv2d_N}). The graphs here are
 * built from the files' own shapes — a chain of weighted layers in creation order, each fed by a weightless stub of
 * the right shape — so these tests check the reader and the pairing rules independently of the model builders.
 */
class RealKerasFilesTest {
    static final String MOBILENET_035 = ReferenceMobileNet.WEIGHTS;
    static final String INCEPTION_SEED7 = "models/inception_v3/random_seed7_keras2_layout_notop.h5";
    static final String INCEPTION_MIXED8 = "models/inception_v3/inception_v3_google2015_bnfolded_to_mixed8_keras2_layout.h5";

    /** A chain with one layer per file layer of {@code groups}, named {@code prefix + index}, typed by its tensors. */
    static Graph chainFor(List<KerasH5File.LayerGroup> groups, String prefix) {
        Input in = new Input("input", 4, 4, 3);
        Layer prev = in;
        int i = 0;
        for (KerasH5File.LayerGroup g : groups) {
            Map<String, int[]> t = new TreeMap<>();
            g.tensors().forEach(x -> t.put(x.baseName(), x.shape()));
            String name = prefix + i++;
            if (t.containsKey("depthwise_kernel")) {
                int[] k = t.get("depthwise_kernel");
                prev = new DepthwiseConv2D(name, new KerasFixtures.Stub(name + "_in", prev, 4, 4, k[2]), k[0], k[1], 1, Padding.SAME, t.containsKey("bias"));
            } else if (t.containsKey("kernel")) {
                int[] k = t.get("kernel");
                prev = new Conv2D(name, new KerasFixtures.Stub(name + "_in", prev, 4, 4, k[2]), k[3], k[0], k[1], 1, 1, Padding.SAME, t.containsKey("bias"));
            } else {
                int c = t.get("beta")[0];
                prev = new BatchNorm(name, new KerasFixtures.Stub(name + "_in", prev, 4, 4, c), t.containsKey("gamma"), 1e-3f, 0.99f);
            }
        }
        return new Graph(in, prev);
    }

    /** The file's weighted layers in creation order: conv2d_N and batch_normalization_N sorted by N, interleaved. */
    static List<KerasH5File.LayerGroup> creationOrder(KerasH5File h5, int upTo) {
        Map<Integer, KerasH5File.LayerGroup> convs = new TreeMap<>(), bns = new TreeMap<>();
        for (KerasH5File.LayerGroup g : h5.weightedLayers()) {
            int n = Integer.parseInt(g.name().substring(g.name().lastIndexOf('_') + 1));
            (g.name().startsWith("conv2d") ? convs : bns).put(n, g);
        }
        List<KerasH5File.LayerGroup> order = new ArrayList<>();
        for (int n = 1; n <= upTo; n++) {
            order.add(convs.get(n));
            order.add(bns.get(n));
        }
        return order;
    }

    @Test
    void officialMobileNetV2FileLoadsInFileOrder() {
        Path file = SharedData.require(MOBILENET_035);
        try (KerasH5File h5 = KerasH5File.open(file)) {
            assertEquals(150, h5.layers().size());
            assertEquals(104, h5.weightedLayers().size());
            assertEquals(260, h5.layers().stream().mapToInt(l -> l.tensors().size()).sum());
            assertEquals(410_208, h5.paramCount());
            assertEquals("input_1", h5.layers().get(0).name());
            assertEquals("mobl0_conv_0_depthwise", h5.weightedLayers().get(2).name());
            KerasH5File.Tensor conv1 = h5.weightedLayers().get(0).tensors().get(0);
            assertEquals("Conv1/kernel:0", conv1.weightName());
            assertArrayEquals(new int[] {3, 3, 3, 16}, conv1.shape());

            Graph g = chainFor(h5.weightedLayers(), "layer");
            KerasImport.Report r = KerasImport.load(h5, g);
            assertEquals(KerasImport.Rule.BY_ORDER, r.rule());
            assertEquals(104, r.layersLoaded());
            assertEquals(410_208, r.paramsLoaded());
            assertArrayEquals(h5.read(conv1), ((Conv2D) g.layer("layer0")).kernel.value.data);
            BatchNorm last = (BatchNorm) g.layer("layer103");
            assertArrayEquals(h5.read(h5.weightedLayers().get(103).tensors().get(3)), last.movingVariance.value.data);
        }
    }

    @Test
    void truncatedFileIsAOneLineError(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(SharedData.require(MOBILENET_035));
        Path cut = Files.write(dir.resolve("cut.h5"), Arrays.copyOf(all, all.length / 2));
        WeightsException e = assertThrows(WeightsException.class, () -> KerasH5File.open(cut));
        assertTrue(e.getMessage().startsWith(cut + ": unreadable HDF5 structure, truncated or damaged? ("), e.getMessage());
    }

    @Test
    void inceptionFileWithShuffledLayerNamesLoadsByNumber() {
        Path file = SharedData.require(INCEPTION_SEED7);
        try (KerasH5File h5 = KerasH5File.open(file)) {
            List<String> fileOrder = h5.weightedLayers().stream().map(KerasH5File.LayerGroup::name).toList();
            List<KerasH5File.LayerGroup> created = creationOrder(h5, 94);
            assertNotEquals(created.stream().map(KerasH5File.LayerGroup::name).toList(), fileOrder, "file order is not creation order");
            assertEquals(21_802_784, h5.paramCount());

            Graph g = chainFor(created, "layer"); // our names, not the file's: pairing must come from the numbers
            KerasImport.Report r = KerasImport.load(h5, g);
            assertEquals(KerasImport.Rule.BY_NUMBER, r.rule());
            assertEquals(188, r.layersLoaded());
            assertEquals(21_802_784, r.paramsLoaded());
            KerasH5File.LayerGroup conv77 = created.get(2 * 76);
            assertEquals("conv2d_77", conv77.name());
            assertArrayEquals(h5.read(conv77.tensors().get(0)), ((Conv2D) g.layer("layer152")).kernel.value.data);
        }
    }

    @Test
    void fileEndingAtMixed8LoadsIntoAGraphCutThereAndAFullFileLoadsItsPrefix() {
        Path mixed8 = SharedData.require(INCEPTION_MIXED8);
        Path full = SharedData.require(INCEPTION_SEED7);
        Graph full94;
        Graph cut76;
        try (KerasH5File h5 = KerasH5File.open(full)) {
            full94 = chainFor(creationOrder(h5, 94), "layer");
            cut76 = full94.cutAt("layer151"); // batch_normalization_76, the last BN before mixed8's output
        }
        KerasImport.Report r = KerasImport.load(mixed8, cut76);
        assertEquals(152, r.layersLoaded());
        // 10,653,472 folded weights and biases, plus the moving mean (0) and variance (0.999) of each of the 76 BNs
        assertEquals(10_653_472 + 2 * 10_688, r.paramsLoaded());
        assertTrue(r.skippedFileLayers().isEmpty());
        assertEquals(0.999f, ((BatchNorm) cut76.layer("layer151")).movingVariance.value.data[0]);

        KerasImport.Report prefix = KerasImport.load(full, cut76);
        assertEquals(36, prefix.skippedFileLayers().size());
        assertTrue(prefix.skippedFileLayers().contains("conv2d_77"));

        WeightsException e = assertThrows(WeightsException.class, () -> KerasImport.load(mixed8, full94));
        assertTrue(e.getMessage().endsWith(": layer layer152 (Conv2D number 77 in creation order) has no weights in the file, "
                + "which has 76 conv2d layers"), e.getMessage());
    }

    @Test
    void mixed8FileListsItsLayersInCreationOrder() {
        try (KerasH5File h5 = KerasH5File.open(SharedData.require(INCEPTION_MIXED8))) {
            assertEquals(228, h5.layers().size());
            assertEquals(h5.weightedLayers().stream().map(KerasH5File.LayerGroup::name).toList(),
                    creationOrder(h5, 76).stream().map(KerasH5File.LayerGroup::name).toList(), "the mixed8 file is in creation order");
            assertTrue(h5.weightedLayers().stream().allMatch(g -> g.tensors().size() == 1 || g.tensors().size() == 3));
        }
    }

    /**
     * {@link WeightValues#MAX_ABS}'s measurement: the largest |w| of every {@code .h5} in the shared data is the
     * 415.6 its Javadoc states (a moving variance of the MobileNetV2 1.0 file), 240 times under the bound.
     */
    @Test
    void theLargestWeightOfTheSharedFilesIsFarUnderTheBound() {
        double largest = 0;
        String where = "";
        for (String name : List.of(MOBILENET_035, "models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5",
                "models/mobilenet_v2/keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5", INCEPTION_SEED7, INCEPTION_MIXED8)) {
            try (KerasH5File h5 = KerasH5File.open(SharedData.require(name))) {
                for (KerasH5File.LayerGroup l : h5.layers()) {
                    for (KerasH5File.Tensor t : l.tensors()) {
                        for (float v : h5.read(t)) {
                            if (Math.abs(v) > largest) {
                                largest = Math.abs(v);
                                where = t.path();
                            }
                        }
                    }
                }
            }
        }
        assertEquals(415.626, largest, 1e-3, where);
        assertEquals("/bn0_conv_0_bn_depthwise/bn0_conv_0_bn_depthwise/moving_variance:0", where);
        assertTrue(largest * 240 < WeightValues.MAX_ABS);
    }
}
