package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Tensor;

class SafeTensorsTest {
    @TempDir Path dir;

    /** A file written byte by byte from the format description, with an unpadded header: our reader must accept it. */
    private Path handWritten(String header, float... data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        for (float f : data) b.putFloat(f);
        return Files.write(dir.resolve("hand.safetensors"), b.array());
    }

    @Test
    void readsAFileWrittenFromTheSpecification() throws IOException {
        Path f = handWritten("{\"__metadata__\":{\"k\":\"v\"},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 1.5f, -2f, 3.25f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("a", "b"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1.5f, -2f}, c.tensors().get("a").data);
        assertArrayEquals(new int[] {1}, c.tensors().get("b").shape());
        assertEquals(3.25f, c.tensors().get("b").data[0]);
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadataAndAlignsTheHeader() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        Tensor k = new Tensor(3, 3, 2, 5);
        for (int i = 0; i < k.size(); i++) k.data[i] = (float) Math.sin(i);
        in.put("Conv1/kernel", k);
        in.put("bn/beta", Tensor.wrap(new float[] {1f, Float.MIN_VALUE, -0f, Float.MAX_VALUE, -Float.MAX_VALUE}, 5));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, in, Map.of("format", "test"));
        SafeTensors.Contents out = SafeTensors.read(f);
        assertEquals(in.keySet(), out.tensors().keySet());
        for (String name : in.keySet()) {
            assertArrayEquals(in.get(name).shape(), out.tensors().get(name).shape());
            assertArrayEquals(in.get(name).data, out.tensors().get(name).data);
        }
        assertEquals(Map.of("format", "test"), out.metadata());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 4 * (90 + 5), Files.size(f));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
    }

    private String error(Path f) {
        return assertThrows(WeightsException.class, () -> SafeTensors.read(f)).getMessage();
    }

    @Test
    void nonFiniteValuesAreRefusedNamingTheTensorAndIndex() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}";
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Path f = handWritten(header, 1f, 2f, bad, 3f);
            assertEquals(f + ": tensor b holds " + bad + " at index 1 of 3 (values must be finite)",
                    assertThrows(WeightsException.class, () -> SafeTensors.read(f)).getMessage());
        }
        Path f = handWritten(header, 1f, 2f, Float.MAX_VALUE, -Float.MIN_VALUE);
        assertArrayEquals(new float[] {2f, Float.MAX_VALUE, -Float.MIN_VALUE}, SafeTensors.read(f).tensors().get("b").data);
    }

    @Test
    void truncatedFilesAreOneLineErrors() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("w", new Tensor(4, 4)), Map.of());
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 4));
        assertEquals(f + ": truncated: tensor w ends at data byte 64 but the data section has 60 bytes", error(f));
        Files.write(f, Arrays.copyOf(all, 20));
        assertEquals(f + ": not a safetensors file or truncated (header length " + (all.length - 64 - 8) + ", file has 20 bytes)", error(f));
        Files.write(f, Arrays.copyOf(all, 5));
        assertEquals(f + ": not a safetensors file (5 bytes, shorter than its header length)", error(f));
    }

    @Test
    void tamperedHeadersAreOneLineErrors() throws IOException {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        Path f = handWritten("{\"a\":" + t.replace("F32", "F16") + "}", 1f);
        assertEquals(f + ": tensor a has dtype F16; only F32 is supported", error(f));
        f = handWritten("{\"a\":" + t.replace("[1]", "[2]") + "}", 1f);
        assertEquals(f + ": tensor a: shape [2] needs 8 bytes, data_offsets [0, 4] give 4", error(f));
        f = handWritten("{\"a\":" + t + ",\"b\":" + t.replace("[0,4]", "[8,12]") + "}", 1f, 2f, 3f);
        assertEquals(f + ": tensor b starts at data byte 8, expected 4 (tensors must be back to back)", error(f));
        f = handWritten("{\"a\":" + t + "}", 1f, 2f);
        assertEquals(f + ": 4 bytes after the last tensor (data section 8 bytes, tensors cover 4)", error(f));
        f = handWritten("{\"a\":" + t + ",}", 1f);
        assertEquals(true, error(f).startsWith(f + ": header is not valid JSON ("));
        f = handWritten("{\"a\":" + t + "} {}", 1f);
        assertEquals(true, error(f).startsWith(f + ": header is not valid JSON ("), "text after the header's object");
        f = handWritten("{\"a\":" + t + "}   ", 1f);
        assertEquals(1, SafeTensors.read(f).tensors().size(), "spaces after the object pad the header, as the format allows");
        f = handWritten("{\"a\":" + t.replace("[1]", "[-1]") + "}", 1f);
        assertEquals(f + ": tensor a shape holds -1, not a size", error(f));
    }
}
