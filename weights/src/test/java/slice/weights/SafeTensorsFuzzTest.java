package slice.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;
import slice.engine.Tensor;

/**
 * {@link SafeTensors#read} on damaged copies of a small valid file: its tensors or a one-line {@link WeightsException}.
 * Damage anywhere in the file, and damage inside the JSON header with the length field kept right, so that edits of
 * shapes and offsets reach the checks behind the length check.
 */
class SafeTensorsFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static Scratch scratch;
    private static byte[] seed;

    @BeforeAll static void makeSeed() throws IOException {
        scratch = new Scratch();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("conv/kernel", Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3));
        tensors.put("conv/bias", Tensor.wrap(new float[] {-1, 0.5f}, 2));
        tensors.put("scale", Tensor.wrap(new float[] {7}));
        try (Scratch.Try t = scratch.newTry()) {
            Path f = t.path("seed.safetensors");
            SafeTensors.write(f, tensors, Map.of("format", "test", "note", "{\"nested\": [1, 2]}"));
            seed = Files.readAllBytes(f);
            SafeTensors.read(f);    // a seed that does not load would make every case a refusal
        }
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    /** The seed with {@code edits} applied to its JSON header and its length field set to the edited header's length. */
    private static byte[] withEditedHeader(List<Mutation> edits) {
        int length = (int) ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] edited = Mutation.applyAll(Arrays.copyOfRange(seed, 8, 8 + length), edits);
        return ByteBuffer.allocate(seed.length - length + edited.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(edited.length).put(edited).put(seed, 8 + length, seed.length - 8 - length).array();
    }

    private static String load(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("x.safetensors", bytes);
            return Refusal.outcome(Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> SafeTensors.read(file), WeightsException.class));
        }
    }

    @Test
    void damagedFileLoadsOrIsRefusedInOneLine() {
        Cases.run(1401, 1500, Mutation::edits, edits -> load(Mutation.applyAll(seed, edits))).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    @Test
    void editedHeaderLoadsOrIsRefusedInOneLine() {
        Cases.run(1402, 1500, Mutation::edits, edits -> load(withEditedHeader(edits))).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }
}
