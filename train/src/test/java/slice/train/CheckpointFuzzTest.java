package slice.train;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import slice.weights.SafeTensors;

/**
 * A damaged {@code checkpoint.safetensors}: {@link Checkpoint#load} gives the checkpoint or a one-line
 * {@link UserError} (exit 2, "delete it to start over"), never an internal error that would make every rerun fail.
 * Damage anywhere, and damage to the JSON header with its length kept right, which reaches the metadata (run identity,
 * epochs, history) the loader parses after the tensors.
 */
class CheckpointFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static Scratch scratch;
    private static byte[] seed;

    @BeforeAll static void makeSeed() throws IOException {
        scratch = new Scratch();
        Tensor w = Tensor.wrap(new float[] {1.5f, -2f, 0.25f, 3e8f, 0f, -0f}, 2, 3);
        Checkpoint c = new Checkpoint(RunIdentity.EMPTY.with("backbone", "mobilenetv2").with("lr", 0.001f), 2, false, 2, 0.25,
                List.of(new EpochStats(1, 1.0, 0.5, 0.9, 0.55, 1.25, 1e-3), new EpochStats(2, 0.5, 0.8, 0.25, 0.9, 1.0, 9e-4)),
                Map.of("dense/kernel", w), Map.of("dense/kernel", w.copy()), Map.of("iterations", Tensor.wrap(new float[] {20}, 1)));
        try (Scratch.Try t = scratch.newTry()) {
            Path f = t.path("seed.safetensors");
            c.save(f);
            seed = Files.readAllBytes(f);
            Checkpoint.load(f);    // the seed must load
        }
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    private static Throwable load(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("checkpoint.safetensors", bytes);
            return Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> Checkpoint.load(file), UserError.class);
        }
    }

    @Test
    void damagedCheckpointLoadsOrIsRefusedInOneLine() {
        Cases.run(1412, 800, Mutation::edits, edits -> Refusal.outcome(load(Mutation.applyAll(seed, edits))))
                .assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** The seed with {@code edits} applied to its JSON header and its length field set to the edited header's length. */
    private static byte[] withEditedHeader(List<Mutation> edits) {
        int length = (int) ByteBuffer.wrap(seed).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] header = Mutation.applyAll(Arrays.copyOfRange(seed, 8, 8 + length), edits);
        return ByteBuffer.allocate(seed.length - length + header.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(seed, 8 + length, seed.length - 8 - length).array();
    }

    @Test
    void editedHeaderLoadsOrIsRefusedInOneLine() {
        Cases.run(1413, 1200, Mutation::edits, edits -> Refusal.outcome(load(withEditedHeader(edits))))
                .assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** Found by the fuzz test: Gson's message for a run that is not an object went on with a second line of advice. */
    @Test
    void aRunThatIsNotAnObjectIsRefusedInOneLine() throws IOException {
        Throwable refusal = load(withEditedHeader(List.of(new Mutation.FlipBit(52, 0))));
        assertNotNull(refusal);
        assertTrue(refusal.getMessage().endsWith("checkpoint metadata is damaged (at line 1 column 1: Expected BEGIN_OBJECT but was STRING)"),
                refusal.getMessage());
    }

    /** A history of {@code null} (valid JSON) used to end in a NullPointerException. */
    @Test
    void aNullHistoryIsRefused() throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path f = t.write("seed.safetensors", seed);
            SafeTensors.Contents c = SafeTensors.read(f);
            Map<String, String> meta = new LinkedHashMap<>(c.metadata());
            meta.put("history", "null");
            SafeTensors.write(f, c.tensors(), meta);
            Throwable refusal = load(Files.readAllBytes(f));
            assertNotNull(refusal);
            String message = refusal.getMessage();
            assertTrue(message.endsWith("checkpoint metadata is damaged (an empty or null run or history)"), message);
        }
    }
}
