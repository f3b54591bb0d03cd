package slice.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static slice.weights.KerasFixtures.FileLayer;
import static slice.weights.KerasFixtures.holds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.Padding;

/** Pairing rules, tensor checks and file layouts of {@link KerasImport}, on small files written by the test. */
class KerasImportTest {
    @TempDir Path dir;

    /** input 6×6×3 → Conv1 3×3×3→4 → bn_Conv1 → dw 3×3×4 → dw_bn → (flatten stub) → predictions 4→5 with bias. */
    private static Graph mobileLike() {
        Input in = new Input("input_1", 6, 6, 3);
        Conv2D conv = new Conv2D("Conv1", in, 4, 3, 3, 1, 1, Padding.SAME, false);
        BatchNorm bn = new BatchNorm("bn_Conv1", conv, true, 1e-3f, 0.999f);
        DepthwiseConv2D dw = new DepthwiseConv2D("dw", bn, 3, 3, 1, Padding.SAME, false);
        BatchNorm dwBn = new BatchNorm("dw_bn", dw, true, 1e-3f, 0.999f);
        Layer flat = new KerasFixtures.Stub("flat", dwBn, 4);
        return new Graph(in, new Dense("predictions", flat, 5, true));
    }

    private static final int[] BN4 = {4};

    private static List<FileLayer> mobileLikeFile(String conv, String bn, String dw, String dwBn, String dense) {
        return List.of(
                FileLayer.of(conv, "kernel", new int[] {3, 3, 3, 4}),
                FileLayer.of(bn, "gamma", BN4, "beta", BN4, "moving_mean", BN4, "moving_variance", BN4),
                FileLayer.of(dw, "depthwise_kernel", new int[] {3, 3, 4, 1}),
                FileLayer.of(dwBn, "gamma", BN4, "beta", BN4, "moving_mean", BN4, "moving_variance", BN4),
                FileLayer.of(dense, "kernel", new int[] {4, 5}, "bias", new int[] {5}));
    }

    /** Writes {@code layers} as a weights file, loads it into {@code g} and checks which pairing rule it took. */
    private KerasImport.Report loadBy(KerasImport.Rule expected, List<FileLayer> layers, Graph g) {
        KerasImport.Report r = KerasImport.load(KerasFixtures.write(dir.resolve("w.h5"), layers), g);
        assertEquals(expected, r.rule());
        return r;
    }

    /**
     * Writes {@code layers} as a weights file, expects loading it into {@code g} to fail, and returns the message after
     * the file name that every such message starts with.
     */
    private String loadError(List<FileLayer> layers, Graph g) {
        Path f = KerasFixtures.write(dir.resolve("w.h5"), layers);
        String message = assertThrows(WeightsException.class, () -> KerasImport.load(f, g)).getMessage();
        assertTrue(message.startsWith(f + ": "), message);
        return message.substring((f + ": ").length());
    }

    @Test
    void sameNamesLoadByNameInAnyFileOrder() {
        List<FileLayer> layers = new ArrayList<>(mobileLikeFile("Conv1", "bn_Conv1", "dw", "dw_bn", "predictions"));
        java.util.Collections.reverse(layers);
        Graph g = mobileLike();
        KerasImport.Report r = loadBy(KerasImport.Rule.BY_NAME, layers, g);
        assertEquals(5, r.layersLoaded());
        assertEquals(g.paramCount(), r.paramsLoaded());
        assertTrue(holds(((Conv2D) g.layer("Conv1")).kernel, "Conv1", "kernel"));
        assertTrue(holds(((BatchNorm) g.layer("dw_bn")).movingVariance, "dw_bn", "moving_variance"));
        assertTrue(holds(((Dense) g.layer("predictions")).bias, "predictions", "bias"));
    }

    @Test
    void olderNamesLoadInFileOrderOfWeightedLayers() {
        Graph g = mobileLike();
        loadBy(KerasImport.Rule.BY_ORDER, mobileLikeFile("mobl_conv", "bn0", "mobl0_dw", "bn0_dw", "Logits"), g);
        assertTrue(holds(((DepthwiseConv2D) g.layer("dw")).kernel, "mobl0_dw", "depthwise_kernel"));
        assertTrue(holds(((BatchNorm) g.layer("bn_Conv1")).gamma, "bn0", "gamma"));
        assertTrue(holds(((Dense) g.layer("predictions")).kernel, "Logits", "kernel"));
    }

    @Test
    void cutGraphTakesThePrefixOfALongerFile() {
        Graph cut = mobileLike().cutAt("dw_bn");
        Path f = KerasFixtures.write(dir.resolve("w.h5"), mobileLikeFile("a", "b", "c", "d", "e"));
        KerasImport.Report r = KerasImport.load(f, cut);
        assertEquals(4, r.layersLoaded());
        assertEquals(List.of("e"), r.skippedFileLayers());
        assertTrue(holds(((BatchNorm) cut.layer("dw_bn")).beta, "d", "beta"));
    }

    @Test
    void fileShorterThanTheGraphNamesTheFirstLayerLeftWithoutWeights() {
        assertEquals("layer dw_bn (weighted layer 4 of 5) has no weights in the file, whose 3 layers with weights were"
                + " paired in file order (not every network layer has a file layer of its name)",
                loadError(mobileLikeFile("a", "b", "c", "d", "e").subList(0, 3), mobileLike()));
    }

    /** input → a_conv 1×1×3→2 → a_bn → b_conv 3×3×2→6 → b_bn: two convs whose shapes differ, so a wrong pairing cannot pass. */
    private static Graph twoConvs(String c1, String b1, String c2, String b2) {
        Input in = new Input("input_1", 5, 5, 3);
        Conv2D a = new Conv2D(c1, in, 2, 1, 1, 1, 1, Padding.SAME, false);
        BatchNorm ab = new BatchNorm(b1, a, false, 1e-3f, 0.99f);
        Conv2D b = new Conv2D(c2, ab, 6, 3, 3, 1, 1, Padding.SAME, false);
        return new Graph(in, new BatchNorm(b2, b, false, 1e-3f, 0.99f));
    }

    private static FileLayer conv(String name, int kh, int cin, int cout) {
        return FileLayer.of(name, "kernel", new int[] {kh, kh, cin, cout});
    }

    private static FileLayer bnNoScale(String name, int c) {
        int[] s = {c};
        return FileLayer.of(name, "beta", s, "moving_mean", s, "moving_variance", s);
    }

    @Test
    void automaticNamesLoadByTheirNumberNotByFileOrder() {
        // listed as Keras' topological sort may list them: not creation order
        Graph g = twoConvs("first", "first_bn", "second", "second_bn");
        loadBy(KerasImport.Rule.BY_NUMBER, List.of(bnNoScale("batch_normalization_2", 6), conv("conv2d_2", 3, 2, 6),
                conv("conv2d_1", 1, 3, 2), bnNoScale("batch_normalization_1", 2)), g);
        assertTrue(holds(((Conv2D) g.layer("first")).kernel, "conv2d_1", "kernel"));
        assertTrue(holds(((Conv2D) g.layer("second")).kernel, "conv2d_2", "kernel"));
        assertTrue(holds(((BatchNorm) g.layer("second_bn")).beta, "batch_normalization_2", "beta"));
    }

    @Test
    void newerKerasNumberingStartsWithTheUnsuffixedName() {
        // conv2d, conv2d_1: the graph's literal names conv2d_1, conv2d_2 must not be matched by name
        Path f = KerasFixtures.write(dir.resolve("w.h5"), List.of(
                conv("conv2d_1", 3, 2, 6), conv("conv2d", 1, 3, 2), bnNoScale("batch_normalization", 2), bnNoScale("batch_normalization_1", 6)));
        Graph g = twoConvs("conv2d_1", "batch_normalization_1", "conv2d_2", "batch_normalization_2");
        KerasImport.load(f, g);
        assertTrue(holds(((Conv2D) g.layer("conv2d_1")).kernel, "conv2d", "kernel"));
        assertTrue(holds(((Conv2D) g.layer("conv2d_2")).kernel, "conv2d_1", "kernel"));
    }

    @Test
    void explicitlyNamedTopLoadsByNameBesideNumberedLayers() {
        Input in = new Input("input_1", 5, 5, 3);
        Conv2D c = new Conv2D("conv2d_1", in, 2, 1, 1, 1, 1, Padding.SAME, false);
        Layer flat = new KerasFixtures.Stub("flat", c, 2);
        Graph g = new Graph(in, new Dense("predictions", flat, 7, true));
        loadBy(KerasImport.Rule.BY_NUMBER, List.of(
                FileLayer.of("predictions", "kernel", new int[] {2, 7}, "bias", new int[] {7}), conv("conv2d_1", 1, 3, 2)), g);
        assertTrue(holds(((Dense) g.layer("predictions")).kernel, "predictions", "kernel"));
    }

    @Test
    void gapInTheNumberingIsAnError() {
        List<FileLayer> layers = List.of(conv("conv2d_1", 1, 3, 2), bnNoScale("batch_normalization_1", 2),
                conv("conv2d_3", 3, 2, 6), bnNoScale("batch_normalization_2", 6));
        assertEquals("the conv2d layers are numbered with a gap (conv2d_2 is missing), so their creation order cannot be recovered",
                loadError(layers, twoConvs("a", "b", "c", "d")));
    }

    @Test
    void numberedFileWithTooFewLayersOfATypeNamesTheLayer() {
        assertEquals("layer c (Conv2D number 2 in creation order) has no weights in the file, which has 1 conv2d layers",
                loadError(List.of(conv("conv2d_1", 1, 3, 2), bnNoScale("batch_normalization_1", 2)), twoConvs("a", "b", "c", "d")));
    }

    @Test
    void shapeMismatchNamesLayerTensorAndBothShapes() {
        List<FileLayer> layers = new ArrayList<>(mobileLikeFile("a", "b", "c", "d", "e"));
        layers.set(0, FileLayer.of("a", "kernel", new int[] {3, 3, 3, 8}));
        assertEquals("layer Conv1 (file layer a): tensor kernel has shape [3, 3, 3, 8] in the file, the network expects [3, 3, 3, 4]",
                loadError(layers, mobileLike()));
    }

    @Test
    void missingTensorIsAnError() {
        List<FileLayer> layers = new ArrayList<>(mobileLikeFile("a", "b", "c", "d", "e"));
        layers.set(1, FileLayer.of("b", "beta", BN4, "moving_mean", BN4, "moving_variance", BN4)); // no gamma
        assertEquals("layer bn_Conv1 (file layer b): missing tensor gamma [4]; the file has [beta, moving_mean, moving_variance]",
                loadError(layers, mobileLike()));
    }

    @Test
    void unexpectedTensorIsAnErrorAndLeavesTheGraphUntouched() {
        List<FileLayer> layers = new ArrayList<>(mobileLikeFile("a", "b", "c", "d", "e"));
        layers.set(2, FileLayer.of("c", "depthwise_kernel", new int[] {3, 3, 4, 1}, "bias", BN4));
        Graph g = mobileLike();
        assertEquals("layer dw (file layer c): unexpected tensor c/bias:0 [4]; a DepthwiseConv2D here has [depthwise_kernel]",
                loadError(layers, g));
        assertEquals(0f, ((Conv2D) g.layer("Conv1")).kernel.value.data[0]);
    }

    /** Replaces the one stored occurrence of {@code old} (float32 little-endian, as jHDF writes) in {@code file} with {@code value}. */
    static void overwrite(Path file, float old, float value) throws IOException {
        byte[] bytes = Files.readAllBytes(file), pattern = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(old).array();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i + 4 <= bytes.length; i++) if (Arrays.equals(bytes, i, i + 4, pattern, 0, 4)) at.add(i);
        assertEquals(1, at.size(), "occurrences of " + old);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(at.get(0), value);
        Files.write(file, bytes);
    }

    @Test
    void aNonFiniteValueIsRefusedNamingTheTensorAndLeavesTheGraphUntouched() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
            Path f = KerasFixtures.write(dir.resolve("w.h5"), mobileLikeFile("a", "b", "c", "d", "e"));
            overwrite(f, KerasFixtures.value("c", "depthwise_kernel", 5), bad);
            Graph g = mobileLike();
            assertEquals(f + ": tensor /c/c/depthwise_kernel:0 holds " + bad + " at index 5 of 36 (values must be finite)",
                    assertThrows(WeightsException.class, () -> KerasImport.load(f, g)).getMessage());
            assertEquals(0f, ((Conv2D) g.layer("Conv1")).kernel.value.data[0]);
        }
    }

    @Test
    void aValueBeyondTheBoundIsRefusedAndOneAtItLoads() throws IOException {
        Path f = KerasFixtures.write(dir.resolve("w.h5"), mobileLikeFile("a", "b", "c", "d", "e"));
        overwrite(f, KerasFixtures.value("b", "moving_variance", 3), 1.8e37f);
        assertEquals(f + ": tensor /b/b/moving_variance:0 holds 1.8E37 at index 3 of 4, beyond the 100000.0 no pretrained weight"
                + " comes near (a damaged or edited file?)", assertThrows(WeightsException.class, () -> KerasImport.load(f, mobileLike())).getMessage());
        overwrite(f, 1.8e37f, -WeightValues.MAX_ABS);
        Graph g = mobileLike();
        KerasImport.load(f, g);
        assertEquals(-WeightValues.MAX_ABS, ((BatchNorm) g.layer("bn_Conv1")).movingVariance.value.data[3]);
    }

    @Test
    void wholeModelFileAndSplitLayerNamesAreRead() {
        Path f = KerasFixtures.write(dir.resolve("w.h5"), mobileLikeFile("a", "b", "c", "d", "e"), true, 3);
        try (KerasH5File h5 = KerasH5File.open(f)) {
            assertTrue(h5.isFullModel());
            assertEquals(List.of("a", "b", "c", "d", "e"), h5.layers().stream().map(KerasH5File.LayerGroup::name).toList());
        }
        Graph g = mobileLike();
        KerasImport.load(f, g);
        assertTrue(holds(((Dense) g.layer("predictions")).bias, "e", "bias"));
    }

    @Test
    void keras3WeightsFileIsRejectedWithAClearMessage() {
        Path f = dir.resolve("model.weights.h5");
        try (var hdf = io.jhdf.HdfFile.write(f)) {
            hdf.putGroup("layers").putGroup("conv2d").putGroup("vars").putDataset("0", new float[] {1f, 2f});
        }
        WeightsException e = assertThrows(WeightsException.class, () -> KerasH5File.open(f));
        assertEquals(f + ": a Keras 3 .weights.h5 file (groups /layers, /vars), which is not supported; re-save the model in the"
                + " Keras 2 HDF5 format (model.save('model.h5')) and load that", e.getMessage());
    }

    @Test
    void nonHdf5AndMissingFilesAreOneLineErrors() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.h5"), "not hdf5 at all");
        WeightsException e = assertThrows(WeightsException.class, () -> KerasH5File.open(text));
        assertTrue(e.getMessage().startsWith(text + ": not an HDF5 file"), e.getMessage());
        assertEquals(dir.resolve("none.h5") + ": no such file",
                assertThrows(WeightsException.class, () -> KerasH5File.open(dir.resolve("none.h5"))).getMessage());
    }

    @Test
    void kerasAutomaticNamesAreSnakeCaseOfTheClassName() {
        assertEquals("conv2d", KerasImport.autoName("Conv2D"));
        assertEquals("batch_normalization", KerasImport.autoName("BatchNormalization"));
        assertEquals("depthwise_conv2d", KerasImport.autoName("DepthwiseConv2D"));
        assertEquals("dense", KerasImport.autoName("Dense"));
    }
}
