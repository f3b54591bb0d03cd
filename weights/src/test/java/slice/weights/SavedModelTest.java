package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.Padding;
import slice.models.Architecture;
import slice.models.Preprocessing;

class SavedModelTest {
    @TempDir Path dir;

    /** input 4×4×3 → c 3×3×3→units → bn → (stub) → logits units→classes. */
    private static Graph net(int units, int classes) {
        Input in = new Input("input", 4, 4, 3);
        Conv2D c = new Conv2D("c", in, units, 3, 3, 1, 1, Padding.SAME, true);
        BatchNorm bn = new BatchNorm("bn", c, true, 1e-3f, 0.99f);
        return new Graph(in, new Dense("logits", new KerasFixtures.Stub("flat", bn, units), classes, true));
    }

    private static Graph randomNet(long seed) {
        Graph g = net(4, 3);
        Random r = new Random(seed);
        for (Param p : g.weights()) for (int i = 0; i < p.value.size(); i++) p.value.data[i] = (float) r.nextGaussian();
        return g;
    }

    private static final Preprocessing KERAS = Preprocessing.SCALE_TO_PLUS_MINUS_ONE;
    private static final ModelCard CARD = new ModelCard(Architecture.MOBILENET_V2, 0.35f, 96, "block_13_expand_relu",
            List.of("ada", "bob", "cy"), KERAS, Map.of("epochs", 12L, "val_accuracy", 0.9375, "head", Map.of("dropout", 0.2, "units", List.of(3L))));

    private Path saved() {
        Path f = dir.resolve("face.safetensors");
        SavedModel.save(f, randomNet(7), CARD);
        return f;
    }

    @Test
    void saveThenLoadRestoresEveryWeightAndTheCard() {
        Path f = saved();
        assertTrue(Files.exists(dir.resolve("face.json")));
        assertEquals(CARD, SavedModel.readCard(f));
        Graph g = net(4, 3);
        assertEquals(CARD, SavedModel.load(f, g));
        Graph expected = randomNet(7);
        for (int i = 0; i < g.weights().size(); i++) {
            assertArrayEquals(expected.weights().get(i).value.data, g.weights().get(i).value.data, g.weights().get(i).name);
        }
    }

    @Test
    void extraTensorsAreSavedAndLoadedBesideTheWeights() {
        Path f = dir.resolve("face.safetensors");
        Tensor centroids = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        SavedModel.save(f, randomNet(7), Map.of("extra/centroids", centroids), CARD);
        Tensor loaded = new Tensor(3, 2);
        assertEquals(CARD, SavedModel.load(f, net(4, 3), Map.of("extra/centroids", loaded)));
        assertArrayEquals(centroids.data, loaded.data);
        assertEquals(f + ": unexpected tensor extra/centroids [3, 2], the network has no such weight", loadError(f, net(4, 3)));
        assertEquals(f + ": tensor extra/centroids has shape [3, 2] in the file, the network expects [2, 3]",
                assertThrows(WeightsException.class, () -> SavedModel.load(f, net(4, 3), Map.of("extra/centroids", new Tensor(2, 3)))).getMessage());
    }

    @Test
    void floatAlphaIsWrittenAsItsShortestDecimal() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SavedModel.save(f, net(2, 2), new ModelCard(Architecture.MOBILENET_V2, 0.35f, 96, null, List.of("x", "y"), KERAS, Map.of()));
        String json = Files.readString(dir.resolve("m.json"));
        assertTrue(json.contains("\"architecture\": \"mobilenetv2\","), json);
        assertTrue(json.contains("\"alpha\": 0.35,"), json);
        assertTrue(json.contains("\"preprocessing\": \"RGB, x / 127.5 - 1.0\","), json);
        assertEquals(0.35f, SavedModel.readCard(f).alpha());
    }

    @Test
    void wholeBackboneCardHasNoCutLayer() {
        Path f = dir.resolve("m.safetensors");
        ModelCard card = new ModelCard(Architecture.INCEPTION_V3, 1f, 299, null, List.of("x", "y"), KERAS, Map.of());
        SavedModel.save(f, net(2, 2), card);
        assertNull(SavedModel.readCard(f).cutLayer());
    }

    private String loadError(Path f, Graph g) {
        return assertThrows(WeightsException.class, () -> SavedModel.load(f, g)).getMessage();
    }

    @Test
    void truncatedOrModifiedTensorFileIsRefused() throws IOException {
        Path f = saved();
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 10));
        assertEquals(f + ": " + (bytes.length - 10) + " bytes, but face.json records " + bytes.length + " (truncated)", loadError(f, net(4, 3)));
        bytes[bytes.length - 1] ^= 1;
        Files.write(f, bytes);
        assertEquals(f + ": SHA-256 differs from the one face.json records (file modified or replaced)", loadError(f, net(4, 3)));
    }

    /** A NaN weight in a model whose sidecar records its checksum (as if recomputed after the edit) is still refused. */
    @Test
    void aNonFiniteWeightIsRefusedEvenWithAMatchingChecksum() {
        Path f = dir.resolve("face.safetensors");
        Graph g = randomNet(7);
        ((Dense) g.layer("logits")).bias.value.data[2] = Float.NaN;
        SavedModel.save(f, g, CARD);
        assertEquals(f + ": tensor logits/bias holds NaN at index 2 of 3 (values must be finite)", loadError(f, net(4, 3)));
    }

    /**
     * Version 2 sidecars cover their own fields: a valid value edited in (another input size, a renamed person) is
     * refused, naming the sidecar; so is a version 2 sidecar whose checksum was removed. Out-of-range values are named as
     * such before the checksum is compared. A version 1 sidecar (no checksum) loads with the range checks alone.
     */
    @Test
    void editedSidecarFieldsAreRefusedAndVersionOneSidecarsStillLoad() throws IOException {
        Path f = saved();
        Path sidecar = dir.resolve("face.json");
        String json = Files.readString(sidecar);
        assertTrue(json.contains("\"version\": 2") && json.contains("\"card_sha256\": \""), json);
        String edited = sidecar + ": its fields were edited after it was written (card_sha256 does not match them);"
                + " restore the file as train wrote it, or train again";
        Files.writeString(sidecar, json.replace("\"input_size\": 96", "\"input_size\": 128"));
        assertEquals(edited, loadError(f, net(4, 3)));
        Files.writeString(sidecar, json.replace("\"bob\"", "\"rob\""));
        assertEquals(edited, assertThrows(WeightsException.class, () -> SavedModel.readCard(f)).getMessage());
        Files.writeString(sidecar, json.replace("\"input_size\": 96", "\"input_size\": 100000"));
        assertEquals(sidecar + ": input_size is 100000, not a whole number in [1, 2048]", loadError(f, net(4, 3)));
        Files.writeString(sidecar, json.replace("\"input_size\": 96", "\"input_size\": 96.5"));
        assertEquals(sidecar + ": input_size is 96.5, not a whole number in [1, 2048]", loadError(f, net(4, 3)));
        String withoutChecksum = json.replaceAll(",\\s*\"card_sha256\": \"[0-9a-f]+\"", "");
        Files.writeString(sidecar, withoutChecksum);
        assertEquals(sidecar + ": card_sha256 is missing or not a non-empty string", loadError(f, net(4, 3)));
        Files.writeString(sidecar, withoutChecksum.replace("\"version\": 2", "\"version\": 1").replace("\"bob\"", "\"rob\""));
        assertEquals(List.of("ada", "rob", "cy"), SavedModel.load(f, net(4, 3)).classNames(), "version 1: no checksum to compare");
        Files.writeString(sidecar, json.replace("\"version\": 2", "\"version\": 3"));
        assertEquals(sidecar + ": format version 3, this Slice reads versions 1 to 2", loadError(f, net(4, 3)));
        Files.writeString(sidecar, json);
        assertEquals(CARD.classNames(), SavedModel.load(f, net(4, 3)).classNames());
    }

    @Test
    void missingOrBrokenSidecarIsRefused() throws IOException {
        Path f = saved();
        Path sidecar = dir.resolve("face.json");
        String json = Files.readString(sidecar);
        Files.writeString(sidecar, json.replace("\"class_names\"", "\"classes\""));
        assertEquals(sidecar + ": class_names is missing or not a list", loadError(f, net(4, 3)));
        Files.writeString(sidecar, json.replace("\"mobilenetv2\"", "\"resnet\""));
        assertEquals(sidecar + ": unknown model 'resnet': choose one of mobilenetv2, inceptionv3, face-resnet", loadError(f, net(4, 3)));
        Files.writeString(sidecar, json.replace("RGB, x / 127.5 - 1.0", "rgb/127.5-1"));
        assertEquals(sidecar + ": preprocessing 'rgb/127.5-1' is not of the form 'RGB, x / 127.5 - 1.0'", loadError(f, net(4, 3)));
        Files.writeString(sidecar, json.substring(0, json.length() / 2));
        assertTrue(loadError(f, net(4, 3)).startsWith(sidecar + ": not valid JSON ("));
        Files.delete(sidecar);
        assertEquals(f + ": its sidecar " + sidecar + " is missing", loadError(f, net(4, 3)));
    }

    @Test
    void networkThatDoesNotMatchTheFileIsRefused() {
        Path f = saved();
        assertEquals(f + ": tensor c/kernel has shape [3, 3, 3, 4] in the file, the network expects [3, 3, 3, 5]", loadError(f, net(5, 3)));
        Input in = new Input("input", 4, 4, 3);
        Graph smaller = new Graph(in, new Conv2D("c", in, 4, 3, 3, 1, 1, Padding.SAME, true));
        assertEquals(f + ": unexpected tensor bn/gamma [4], the network has no such weight", loadError(f, smaller));
        Input in2 = new Input("input", 4, 4, 3);
        Graph other = new Graph(in2, new Conv2D("d", in2, 4, 3, 3, 1, 1, Padding.SAME, true));
        assertEquals(f + ": missing tensor d/kernel [3, 3, 3, 4]", loadError(f, other));
    }
}
