package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Param;
import slice.engine.Tensor;

/** {@link TfjsWeights} on small manifests and shards written here byte by byte from the format description. */
class TfjsWeightsTest {
    @TempDir Path dir;

    /** Writes the manifest, JSON written with single quotes for readability (each becomes a double quote). */
    private Path manifest(String json) throws IOException {
        return Files.writeString(dir.resolve("m-weights_manifest.json"), json.replace('\'', '"'), StandardCharsets.UTF_8);
    }

    private void shard(String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = le(4 * values.length);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    private WeightsException failure(String json) throws IOException {
        Path m = manifest(json);
        return assertThrows(WeightsException.class, () -> TfjsWeights.read(m));
    }

    @Test
    void float32TensorsInManifestOrderWithTheirShapes() throws IOException {
        shard("a.bin", floats(1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, -7e-3f, 42f));
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['a.bin'], 'weights': ["
                + "{'name': 'z/kernel', 'shape': [2, 3], 'dtype': 'float32'},"
                + "{'name': 'a/scalar', 'shape': [], 'dtype': 'float32'}]}]"));
        assertEquals(List.of("z/kernel", "a/scalar"), List.copyOf(w.tensors().keySet()), "manifest order, not sorted");
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, -7e-3f}, w.tensors().get("z/kernel").data);
        assertArrayEquals(new int[] {2, 3}, w.tensors().get("z/kernel").shape());
        assertArrayEquals(new int[] {}, w.tensors().get("a/scalar").shape());
        assertArrayEquals(new float[] {42f}, w.tensors().get("a/scalar").data);
    }

    @Test
    void uint8IsMinPlusScaleTimesQComputedInDouble() throws IOException {
        shard("q.bin", new byte[] {0, 1, (byte) 255, 0, 4, (byte) 200});
        double scale = 0.009007044399485869, min = -1.2069439495311063; // face-api's conv0/filters
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['q.bin'], 'weights': ["
                + "{'name': 'simple', 'shape': [3], 'dtype': 'float32', 'quantization': {'dtype': 'uint8', 'scale': 0.5, 'min': -1}},"
                + "{'name': 'real', 'shape': [3], 'dtype': 'float32', 'quantization': {'dtype': 'uint8', 'scale': " + scale
                + ", 'min': " + min + "}}]}]"));
        assertArrayEquals(new float[] {-1f, -0.5f, 126.5f}, w.tensors().get("simple").data);
        assertArrayEquals(new float[] {(float) min, (float) (min + 4 * scale), (float) (min + 200 * scale)}, w.tensors().get("real").data);
        // rounding the double result once differs from float arithmetic for this q: the double path is tfjs' own
        assertTrue((float) (min + 4 * scale) != (float) min + 4 * (float) scale, "the test distinguishes the two roundings");
    }

    @Test
    void uint16IsLittleEndianAndUnsigned() throws IOException {
        shard("q.bin", new byte[] {0x02, 0x01, (byte) 0xff, (byte) 0xff, 0, 0});
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['q.bin'], 'weights': [{'name': 't', 'shape': [3],"
                + " 'dtype': 'float32', 'quantization': {'dtype': 'uint16', 'scale': 0.25, 'min': 1}}]}]"));
        assertArrayEquals(new float[] {1 + 0.25f * 258, 1 + 0.25f * 65535, 1f}, w.tensors().get("t").data);
    }

    @Test
    void float16HalvesIncludingSubnormals() throws IOException {
        short[] halves = {0x3c00, (short) 0xc000, 0x7bff, 0x0001, (short) 0x8400, 0x3555, (short) 0x8000};
        ByteBuffer b = le(2 * halves.length);
        for (short h : halves) b.putShort(h);
        shard("h.bin", b.array());
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['h.bin'], 'weights': [{'name': 't', 'shape': [7],"
                + " 'dtype': 'float32', 'quantization': {'dtype': 'float16'}}]}]"));
        float[] expected = {1f, -2f, 65504f, 0x1p-24f, -0x1p-14f, 0.333251953125f, -0f};
        assertArrayEquals(expected, w.tensors().get("t").data);
    }

    @Test
    void everyFiniteHalfMatchesTheDefinition() {
        for (int h = 0; h < 0x10000; h++) {
            int exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
            if (exponent == 0x1f) {
                assertFalse(Float.isFinite(TfjsWeights.halfToFloat((short) h)), "infinity or NaN: " + h);
                continue;
            }
            double magnitude = exponent == 0 ? Math.scalb((double) fraction, -24) : Math.scalb(1 + fraction / 1024.0, exponent - 15);
            double expected = (h & 0x8000) != 0 ? -magnitude : magnitude;
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(TfjsWeights.halfToFloat((short) h)), "half " + h);
        }
    }

    @Test
    void int32PlainAndQuantisedRoundHalvesUp() throws IOException {
        ByteBuffer b = le(8 + 2);
        b.putInt(7).putInt(-3).put((byte) 0).put((byte) 1);
        shard("i.bin", b.array());
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['i.bin'], 'weights': ["
                + "{'name': 'plain', 'shape': [2], 'dtype': 'int32'},"
                + "{'name': 'quantised', 'shape': [2], 'dtype': 'int32', 'quantization': {'dtype': 'uint8', 'scale': 5, 'min': -2.5}}]}]"));
        assertArrayEquals(new float[] {7f, -3f}, w.tensors().get("plain").data);
        assertArrayEquals(new float[] {-2f, 3f}, w.tensors().get("quantised").data, "Math.round(-2.5) = -2, Math.round(2.5) = 3 as in JS");
    }

    @Test
    void shardsOfAGroupAreConcatenatedAndEachGroupStartsAtItsOwnByteZero() throws IOException {
        byte[] all = floats(1, 2, 3, 4, 5);
        shard("g0-1", Arrays.copyOfRange(all, 0, 6)); // the second tensor straddles the two shards
        shard("g0-2", Arrays.copyOfRange(all, 6, 20));
        shard("g1", new byte[] {10, 20});
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['g0-1', 'g0-2'], 'weights': ["
                + "{'name': 'a', 'shape': [1], 'dtype': 'float32'}, {'name': 'b', 'shape': [2, 2], 'dtype': 'float32'}]},"
                + "{'paths': ['g1'], 'weights': [{'name': 'c', 'shape': [2], 'dtype': 'float32',"
                + " 'quantization': {'dtype': 'uint8', 'scale': 0.1, 'min': 0}}]}]"));
        assertArrayEquals(new float[] {1}, w.tensors().get("a").data);
        assertArrayEquals(new float[] {2, 3, 4, 5}, w.tensors().get("b").data);
        assertArrayEquals(new float[] {(float) (10 * 0.1), (float) (20 * 0.1)}, w.tensors().get("c").data);
    }

    @Test
    void tensorByNameChecksTheShape() throws IOException {
        shard("a.bin", floats(1, 2, 3));
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['a.bin'], 'weights': ["
                + "{'name': 'conv/bias', 'shape': [3], 'dtype': 'float32'}]}]"));
        assertSame(w.tensors().get("conv/bias"), w.tensor("conv/bias", 3));
        String m = w.manifest().toString();
        assertEquals(m + ": tensor conv/bias has shape [3], expected [1, 3]",
                assertThrows(WeightsException.class, () -> w.tensor("conv/bias", 1, 3)).getMessage());
        assertEquals(m + ": no tensor conv/kernel (the manifest has 1 tensors)",
                assertThrows(WeightsException.class, () -> w.tensor("conv/kernel", 3)).getMessage());
    }

    @Test
    void loadChecksEveryWeightBeforeCopyingAnyAndReportsTheUnusedTensors() throws IOException {
        shard("a.bin", floats(1, 2, 3, 4, 5, 6));
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['a.bin'], 'weights': [{'name': 'k', 'shape': [1, 2], 'dtype': 'float32'},"
                + "{'name': 'b', 'shape': [2], 'dtype': 'float32'}, {'name': 'extra', 'shape': [2], 'dtype': 'float32'}]}]"));
        Param kernel = Param.trainable("dense/kernel", 1, 2), bias = Param.trainable("dense/bias", 2);
        Map<Param, String> sources = new LinkedHashMap<>();
        sources.put(kernel, "k");
        sources.put(bias, "b");
        assertEquals(List.of("extra"), w.load(sources));
        assertArrayEquals(new float[] {1, 2}, kernel.value.data);
        assertArrayEquals(new float[] {3, 4}, bias.value.data);

        Param fresh = Param.trainable("dense/kernel", 1, 2), wide = Param.trainable("dense/bias", 3);
        Map<Param, String> misfit = new LinkedHashMap<>();
        misfit.put(fresh, "k");
        misfit.put(wide, "b");
        assertEquals(w.manifest() + ": tensor b has shape [2], weight dense/bias has shape [3]",
                assertThrows(WeightsException.class, () -> w.load(misfit)).getMessage());
        assertArrayEquals(new float[] {0, 0}, fresh.value.data, "nothing copied when a later weight does not fit");
        assertEquals(w.manifest() + ": no tensor nope for weight dense/kernel [1, 2]",
                assertThrows(WeightsException.class, () -> w.load(Map.of(fresh, "nope"))).getMessage());
    }

    /** A tensor read fine (a TF.js file may hold anything finite) but beyond the pretrained bound is not loaded into a weight. */
    @Test
    void loadRefusesAValueBeyondThePretrainedBound() throws IOException {
        shard("a.bin", floats(1, 1.8e37f, 3, -1e5f));
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['a.bin'], 'weights': [{'name': 'k', 'shape': [2], 'dtype': 'float32'},"
                + "{'name': 'b', 'shape': [2], 'dtype': 'float32'}]}]"));
        Param kernel = Param.trainable("dense/kernel", 2), bias = Param.trainable("dense/bias", 2);
        Map<Param, String> sources = new LinkedHashMap<>();
        sources.put(bias, "b");
        sources.put(kernel, "k");
        assertEquals(w.manifest() + ": tensor k holds 1.8E37 at index 1 of 2, beyond the 100000.0 no pretrained weight comes near"
                + " (a damaged or edited file?)", assertThrows(WeightsException.class, () -> w.load(sources)).getMessage());
        assertArrayEquals(new float[] {0, 0}, bias.value.data, "nothing copied");
        assertEquals(List.of("k"), w.load(Map.of(bias, "b")));
        assertArrayEquals(new float[] {3, -1e5f}, bias.value.data, "the bound itself loads");
    }

    // ---- bad files: one line naming the file and the tensor ----

    @Test
    void truncatedShardNamesTheTensorThatDoesNotFit() throws IOException {
        shard("a.bin", floats(1, 2, 3));
        WeightsException e = failure("[{'paths': ['a.bin'], 'weights': [{'name': 'a', 'shape': [2], 'dtype': 'float32'},"
                + "{'name': 'b', 'shape': [2], 'dtype': 'float32'}]}]");
        assertEquals(dir.resolve("a.bin") + ": truncated: tensor b ends at byte 16 but the file has 12 bytes", e.getMessage());
    }

    @Test
    void truncatedMultiShardGroupNamesTheManifestAndTheShardCount() throws IOException {
        shard("s1", floats(1));
        shard("s2", floats(2));
        WeightsException e = failure("[{'paths': ['s1', 's2'], 'weights': [{'name': 'a', 'shape': [3], 'dtype': 'float32'}]}]");
        assertEquals("2 shards of group 0 of " + dir.resolve("m-weights_manifest.json")
                + ": truncated: tensor a ends at byte 12 but the files hold 8 bytes",
                e.getMessage());
    }

    @Test
    void aHugeDeclaredTensorIsRejectedFromTheFileLengthWithoutAllocatingIt() throws IOException {
        shard("a.bin", floats(1));
        WeightsException e = failure("[{'paths': ['a.bin'], 'weights': [{'name': 'big', 'shape': [2000000000], 'dtype': 'float32'}]}]");
        assertEquals(dir.resolve("a.bin") + ": truncated: tensor big ends at byte 8000000000 but the file has 4 bytes", e.getMessage());
        WeightsException tooMany = failure("[{'paths': ['a.bin'], 'weights': ["
                + "{'name': 'big', 'shape': [65536, 65536], 'dtype': 'float32'}]}]");
        assertTrue(tooMany.getMessage().endsWith("tensor big has 4294967296 elements, more than a Java array holds"), tooMany.getMessage());
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        shard("a.bin", floats(1, 2, 3));
        WeightsException e = failure("[{'paths': ['a.bin'], 'weights': [{'name': 'a', 'shape': [2], 'dtype': 'float32'}]}]");
        assertEquals(dir.resolve("a.bin") + ": 4 bytes more than the manifest describes (the last tensor, a, ends at byte 8 of 12)",
                e.getMessage());
    }

    @Test
    void unknownDtypesAreNamed() throws IOException {
        shard("a.bin", floats(1));
        String m = dir.resolve("m-weights_manifest.json").toString();
        assertEquals(m + ": group 0: tensor t has dtype float64; only float32 and int32 are supported",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [1], 'dtype': 'float64'}]}]").getMessage());
        assertEquals(m + ": group 0: tensor t has quantization dtype int4; only uint8, uint16 and float16 are supported",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [4], 'dtype': 'float32',"
                        + " 'quantization': {'dtype': 'int4'}}]}]").getMessage());
        assertEquals(m + ": group 0: tensor t: quantization scale is missing or not a number",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [4], 'dtype': 'float32',"
                        + " 'quantization': {'dtype': 'uint8', 'min': 0}}]}]").getMessage());
        assertEquals(m + ": group 0: tensor t: float16 quantization is only defined for float32 tensors, not int32",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [2], 'dtype': 'int32',"
                        + " 'quantization': {'dtype': 'float16'}}]}]").getMessage());
    }

    @Test
    void missingShardFileIsNamed() throws IOException {
        WeightsException e = failure("[{'paths': ['gone.bin'], 'weights': [{'name': 't', 'shape': [1], 'dtype': 'float32'}]}]");
        assertEquals(dir.resolve("m-weights_manifest.json") + ": group 0: shard file " + dir.resolve("gone.bin") + " is missing",
                e.getMessage());
    }

    @Test
    void shardPathsMayNotLeaveTheManifestsFolder() throws IOException {
        WeightsException e = failure("[{'paths': ['../elsewhere.bin'], 'weights': []}]");
        assertEquals(dir.resolve("m-weights_manifest.json") + ": group 0: shard path ../elsewhere.bin leaves the manifest's folder",
                e.getMessage());
    }

    @Test
    void malformedJsonIsOneLine() throws IOException {
        String m = dir.resolve("m-weights_manifest.json").toString();
        // Gson's own position, without its multi-line advice; the line is where the text goes wrong
        String at = Pattern.quote(m) + ": not valid JSON \\(at line ";
        assertTrue(failure("[{'paths': ['a.bin'], 'weights': [").getMessage().matches(at + "1 column \\d+\\)"));
        assertTrue(failure("[]\n trailing").getMessage().matches(at + "2 column \\d+\\)"));
        assertTrue(failure("[{paths: 1}]").getMessage().matches(at + "1 column \\d+\\)"));
        assertEquals(m + ": not a weights manifest (the top level is not a JSON array of groups)",
                failure("{'weightsManifest': []}").getMessage());
        assertEquals(m + ": group 0 has no paths (the list of its shard files)", failure("[{'weights': []}]").getMessage());
        assertEquals(m + ": group 0: tensor t has shape [2,-1], not a list of sizes",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [2, -1], 'dtype': 'float32'}]}]").getMessage());
        Path missing = dir.resolve("none.json");
        assertEquals(missing + ": no such weights manifest",
                assertThrows(WeightsException.class, () -> TfjsWeights.read(missing)).getMessage());
    }

    @Test
    void duplicateNamesAreAnError() throws IOException {
        shard("a.bin", floats(1, 2));
        assertEquals(dir.resolve("m-weights_manifest.json") + ": tensor t appears twice",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [1], 'dtype': 'float32'},"
                        + "{'name': 't', 'shape': [1], 'dtype': 'float32'}]}]").getMessage());
    }

    @Test
    void nonFiniteValuesAreNamedWithTheirIndex() throws IOException {
        String m = dir.resolve("m-weights_manifest.json").toString();
        shard("a.bin", floats(1, Float.NaN));
        assertEquals(m + ": tensor t holds NaN at index 1 (values must be finite)",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [2], 'dtype': 'float32'}]}]").getMessage());
        shard("a.bin", new byte[] {0x00, 0x7c});
        assertEquals(m + ": tensor h holds Infinity at index 0 (values must be finite)",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 'h', 'shape': [1], 'dtype': 'float32',"
                        + " 'quantization': {'dtype': 'float16'}}]}]").getMessage());
        shard("a.bin", new byte[] {(byte) 255, 0});
        assertEquals(m + ": tensor q holds Infinity at index 0 (values must be finite)",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 'q', 'shape': [1], 'dtype': 'float32',"
                        + " 'quantization': {'dtype': 'uint16', 'scale': 1e300, 'min': 0}}]}]").getMessage());
    }

    @Test
    void int32ThatAFloatCannotHoldIsAnError() throws IOException {
        shard("a.bin", le(4).putInt((1 << 24) + 1).array());
        assertEquals(dir.resolve("m-weights_manifest.json")
                + ": int32 tensor t holds 16777217 at index 0, which a float cannot represent exactly",
                failure("[{'paths': ['a.bin'], 'weights': [{'name': 't', 'shape': [1], 'dtype': 'int32'}]}]").getMessage());
    }

    @Test
    void aTensorLargerThanOneReadChunkIsDecodedWhole() throws IOException {
        int n = 40_000; // 160,000 bytes: three chunks of 64 KB, the last one partial
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) Math.sin(i);
        shard("a.bin", floats(values));
        TfjsWeights w = TfjsWeights.read(manifest("[{'paths': ['a.bin'], 'weights': ["
                + "{'name': 't', 'shape': [200, 200], 'dtype': 'float32'}]}]"));
        Tensor t = w.tensor("t", 200, 200);
        assertArrayEquals(values, t.data);
    }
}
