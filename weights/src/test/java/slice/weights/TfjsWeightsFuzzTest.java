package slice.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;

/**
 * TF.js weights (a manifest and its shards) damaged: {@link TfjsWeights#read} gives the tensors or a one-line
 * {@link WeightsException}. The seed has every storage the reader decodes (float32, int32, uint8 and uint16
 * quantization, float16) and a group split over two shards; the manifest is damaged as text, the shards as bytes.
 */
class TfjsWeightsFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static Scratch scratch;

    private static final String MANIFEST = """
            [{"paths": ["m-shard1", "m-shard2"], "weights": [
                {"name": "conv/filters", "shape": [2, 3], "dtype": "float32"},
                {"name": "conv/bias", "shape": [2], "dtype": "int32"},
                {"name": "fc/weights", "shape": [2, 2], "dtype": "float32",
                 "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}}]},
             {"paths": ["m-shard3"], "weights": [
                {"name": "fc/bias", "shape": [3], "dtype": "float32", "quantization": {"dtype": "float16"}},
                {"name": "fc/scale", "shape": [1, 1], "dtype": "int32",
                 "quantization": {"dtype": "uint16", "scale": 2, "min": 0}}]}]
            """;
    /** Group 0: 6 float32 + 2 int32 + 4 uint8 = 36 bytes, split 20 + 16; group 1: 3 float16 + 1 uint16 = 8 bytes. */
    private static final List<byte[]> SHARDS = shards();

    private static List<byte[]> shards() {
        ByteBuffer g0 = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) g0.putFloat(i * 0.25f - 1);
        g0.putInt(-7).putInt(1 << 20).put(new byte[] {0, 1, (byte) 200, (byte) 255});
        ByteBuffer g1 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        g1.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001).putShort((short) 40000);
        byte[] a = g0.array();
        return List.of(java.util.Arrays.copyOfRange(a, 0, 20), java.util.Arrays.copyOfRange(a, 20, 36), g1.array());
    }

    @BeforeAll static void makeScratch() throws IOException {
        scratch = new Scratch();
        read(MANIFEST.getBytes(StandardCharsets.UTF_8), SHARDS, MAX_BYTES);   // the seed must load
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    /** Writes a manifest and its three shards in a fresh folder and reads them: what {@link Refusal} returns. */
    private static Throwable read(byte[] manifest, List<byte[]> shards, long maxBytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path dir = Files.createDirectory(t.path("tfjs"));
            Path m = Files.write(dir.resolve("m-weights_manifest.json"), manifest);
            for (int i = 0; i < shards.size(); i++) Files.write(dir.resolve("m-shard" + (i + 1)), shards.get(i));
            return Refusal.assertReturnsOrRefuses(maxBytes, () -> TfjsWeights.read(m), WeightsException.class);
        }
    }

    @Test
    void damagedManifestLoadsOrIsRefusedInOneLine() {
        Cases.run(1409, 1500, Mutation::edits,
                edits -> Refusal.outcome(read(Mutation.applyAll(MANIFEST.getBytes(StandardCharsets.UTF_8), edits), SHARDS, MAX_BYTES)))
                .assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** Which shard, damaged how. */
    record Case(int shard, List<Mutation> edits) { }

    @Test
    void damagedShardLoadsOrIsRefusedInOneLine() {
        Cases.run(1410, 500, r -> new Case(r.nextInt(SHARDS.size()), Mutation.edits(r)), c -> {
            List<byte[]> shards = new java.util.ArrayList<>(SHARDS);
            shards.set(c.shard(), Mutation.applyAll(SHARDS.get(c.shard()), c.edits()));
            return Refusal.outcome(read(MANIFEST.getBytes(StandardCharsets.UTF_8), shards, MAX_BYTES));
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }
}
