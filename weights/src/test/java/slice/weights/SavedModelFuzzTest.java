package slice.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.Padding;
import slice.models.Architecture;
import slice.models.Preprocessing;

/**
 * A saved model (safetensors + JSON sidecar) damaged: {@link SavedModel#readCard} and {@link SavedModel#load} give the
 * card or a one-line {@link WeightsException}. The tensor file is damaged with its sidecar's size and SHA-256 updated
 * to match; the sidecar is damaged as text and, when it still parses, its {@code card_sha256} is recomputed (else the
 * checksums would refuse every case before the tensors or the fields are looked at).
 */
class SavedModelFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static Scratch scratch;
    private static byte[] tensors;
    private static String sidecar;

    /** input 4×4×3 → c 3×3×3→2 → bn → (stub) → logits 2→3. */
    private static Graph net() {
        Input in = new Input("input", 4, 4, 3);
        Conv2D c = new Conv2D("c", in, 2, 3, 3, 1, 1, Padding.SAME, true);
        BatchNorm bn = new BatchNorm("bn", c, true, 1e-3f, 0.99f);
        return new Graph(in, new Dense("logits", new KerasFixtures.Stub("flat", bn, 2), 3, true));
    }

    @BeforeAll static void makeSeed() throws IOException {
        scratch = new Scratch();
        ModelCard card = new ModelCard(Architecture.MOBILENET_V2, 0.35f, 96, "block_13_expand_relu", List.of("ada", "bob", "cy"),
                Preprocessing.SCALE_TO_PLUS_MINUS_ONE, Map.of("epochs", 12L, "head", Map.of("dropout", 0.2)));
        try (Scratch.Try t = scratch.newTry()) {
            Path f = Files.createDirectory(t.path("seed")).resolve("face.safetensors");
            SavedModel.save(f, net(), card);
            tensors = Files.readAllBytes(f);
            sidecar = Files.readString(SavedModel.sidecarOf(f));
            SavedModel.load(f, net());    // a seed that does not load would make every case a refusal
        }
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    /** Writes the pair and loads it: the card and weights, or a one-line refusal; returns the outcome. */
    private static String load(byte[] tensorBytes, byte[] sidecarBytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path dir = Files.createDirectory(t.path("m"));     // the sidecar names the tensor file: face.safetensors
            Path f = Files.write(dir.resolve("face.safetensors"), tensorBytes);
            Files.write(dir.resolve("face.json"), sidecarBytes);
            return Refusal.outcome(Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> SavedModel.load(f, net()), WeightsException.class));
        }
    }

    /** The sidecar's JSON with {@code card_sha256} set to match its other fields. */
    private static byte[] sealed(JsonObject json) {
        json.addProperty("card_sha256", SavedModel.cardSha256(json));
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void damagedTensorsWithAMatchingSidecarLoadOrAreRefusedInOneLine() {
        Cases.run(1403, 700, Mutation::edits, edits -> {
            byte[] bytes = Mutation.applyAll(tensors, edits);
            JsonObject json = JsonParser.parseString(sidecar).getAsJsonObject();
            JsonObject weights = json.getAsJsonObject("weights");
            weights.addProperty("bytes", bytes.length);
            weights.addProperty("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            return load(bytes, sealed(json));
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** The sidecar edited as text; when it still parses as an object, sealed with a matching {@code card_sha256}. */
    @Test
    void damagedSidecarLoadsOrIsRefusedInOneLine() {
        Cases.run(1404, 700, Mutation::edits, edits -> {
            byte[] bytes = Mutation.applyAll(sidecar.getBytes(StandardCharsets.UTF_8), edits);
            JsonElement edited;
            try {
                edited = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            } catch (JsonParseException e) {
                edited = null;
            }
            return load(tensors, edited != null && edited.isJsonObject() ? sealed(edited.getAsJsonObject()) : bytes);
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }
}
