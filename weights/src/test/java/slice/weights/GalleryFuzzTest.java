package slice.weights;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;

/**
 * A gallery (tensor file + {@code gallery.json}) damaged: {@link Gallery#read} gives a gallery or a one-line
 * {@link WeightsException}. Besides damage to either file as bytes, the sidecar's fields are edited as text and, when
 * they still parse, written consistently into both files with a matching size and SHA-256 — so edited names, photo
 * hashes and thresholds reach the checks behind the checksum.
 */
class GalleryFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static Scratch scratch;
    private static byte[] tensors;
    private static String sidecar;
    private static String tensorName;

    @BeforeAll static void makeSeed() throws IOException {
        scratch = new Scratch();
        Random r = new Random(14);
        List<Gallery.Person> people = List.of(new Gallery.Person("Zo\u00eb", List.of(GalleryTest.photo(r), GalleryTest.photo(r))),
                new Gallery.Person("O'Brien", List.of(GalleryTest.photo(r))));
        try (Scratch.Try t = scratch.newTry()) {
            Path dir = t.path("seed");
            new Gallery(people, 0.6, "a rule").write(dir);
            try (Stream<Path> s = Files.list(dir)) {
                Path f = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).findFirst().orElseThrow();
                tensorName = f.getFileName().toString();
                tensors = Files.readAllBytes(f);
            }
            sidecar = Files.readString(dir.resolve(Gallery.SIDECAR));
            Gallery.read(dir);    // a seed that does not load would make every case a refusal
        }
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    /** Writes the two files and reads them: what {@link Refusal#assertReturnsOrRefuses} returns. */
    private static Throwable read(byte[] tensorBytes, byte[] sidecarBytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path dir = Files.createDirectory(t.path("g"));
            Files.write(dir.resolve(tensorName), tensorBytes);
            Files.write(dir.resolve(Gallery.SIDECAR), sidecarBytes);
            return Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> Gallery.read(dir), WeightsException.class);
        }
    }

    /** The seed's sidecar fields, without {@code tensors}. */
    private static JsonObject seedFields() {
        JsonObject fields = JsonParser.parseString(sidecar).getAsJsonObject();
        fields.remove("tensors");
        return fields;
    }

    /** Reads a gallery whose two files both carry {@code fields}, with the tensor file's size and SHA-256 recorded. */
    private static Throwable readConsistent(JsonObject fields) throws Exception {
        try (Scratch.Try t = scratch.newTry()) {
            SafeTensors.Contents contents = SafeTensors.read(t.write("seed.safetensors", tensors));
            Path f = t.path("edited.safetensors");
            SafeTensors.write(f, contents.tensors(), Map.of("format", Gallery.FORMAT, "gallery", fields.toString()));
            byte[] bytes = Files.readAllBytes(f);
            return read(bytes, recorded(fields, bytes));
        }
    }

    private static byte[] recorded(JsonObject fields, byte[] tensorBytes) throws Exception {
        JsonObject json = fields.deepCopy();
        JsonObject file = new JsonObject();
        file.addProperty("file", tensorName);
        file.addProperty("bytes", tensorBytes.length);
        file.addProperty("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tensorBytes)));
        json.add("tensors", file);
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void damagedTensorsWithAMatchingSidecarReadOrAreRefusedInOneLine() {
        Cases.run(1405, 500, Mutation::edits, edits -> {
            byte[] bytes = Mutation.applyAll(tensors, edits);
            return Refusal.outcome(read(bytes, recorded(seedFields(), bytes)));
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /**
     * The sidecar damaged as bytes: the tensor file carries the same fields, so an edit that changes them is refused
     * (both outcomes are not required here; {@link #editedFieldsInBothFilesReadOrAreRefusedInOneLine} reaches the
     * checks behind that comparison).
     */
    @Test
    void damagedSidecarReadsOrIsRefusedInOneLine() {
        Cases.run(1406, 500, Mutation::edits,
                edits -> Refusal.outcome(read(tensors, Mutation.applyAll(sidecar.getBytes(StandardCharsets.UTF_8), edits))));
    }

    /** The fields edited as text; when they still parse as an object, both files carry them and the checksum matches. */
    @Test
    void editedFieldsInBothFilesReadOrAreRefusedInOneLine() {
        byte[] fields = seedFields().toString().getBytes(StandardCharsets.UTF_8);
        Cases.run(1407, 1000, Mutation::edits, edits -> {
            String text = new String(Mutation.applyAll(fields, edits), StandardCharsets.UTF_8);
            JsonElement edited;
            try {
                edited = JsonParser.parseString(text);
            } catch (JsonParseException e) {
                edited = null;
            }
            boolean parses = edited != null && edited.isJsonObject();
            Throwable thrown = parses ? readConsistent(edited.getAsJsonObject()) : read(tensors, text.getBytes(StandardCharsets.UTF_8));
            return Refusal.outcome(thrown);
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** Found by the fuzz test: a line break in a photo's hash was quoted into the message, which became two lines. */
    @Test
    void aLineBreakInAPhotoHashStaysOnTheMessagesOneLine() throws Exception {
        JsonObject fields = seedFields();
        JsonArray photos = fields.getAsJsonArray("people").get(1).getAsJsonObject().getAsJsonArray("photos");
        String sha = photos.get(0).getAsString();
        photos.set(0, new JsonPrimitive(sha + "\n~"));
        Throwable refusal = readConsistent(fields);
        assertNotNull(refusal);
        assertTrue(refusal.getMessage().endsWith("gallery.json: not a lower-case hex SHA-256: " + sha + "<U+000A>~"), refusal.getMessage());
    }
}
