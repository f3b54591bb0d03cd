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
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
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

    @BeforeContainer static void makeSeed() throws IOException {
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

    @AfterContainer static void removeScratch() throws IOException {
        scratch.close();
    }

    @Provide Arbitrary<List<Mutation>> edits() {
        return Mutation.edits();
    }

    /** The seed with {@code edits} applied to its JSON header and its length field set to the edited header's length. */
    private static byte[] withEditedHeader(List<Mutation> edits) {
        int length = (int) ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] edited = Mutation.applyAll(Arrays.copyOfRange(seed, 8, 8 + length), edits);
        return ByteBuffer.allocate(seed.length - length + edited.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(edited.length).put(edited).put(seed, 8 + length, seed.length - 8 - length).array();
    }

    private static void load(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("x.safetensors", bytes);
            Refusal.tally(Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> SafeTensors.read(file), WeightsException.class));
        }
    }

    @Property(seed = "1401", tries = 1500)
    void damagedFileLoadsOrIsRefusedInOneLine(@ForAll("edits") List<Mutation> edits) throws IOException {
        load(Mutation.applyAll(seed, edits));
    }

    @Property(seed = "1402", tries = 1500)
    void editedHeaderLoadsOrIsRefusedInOneLine(@ForAll("edits") List<Mutation> edits) throws IOException {
        load(withEditedHeader(edits));
    }
}
