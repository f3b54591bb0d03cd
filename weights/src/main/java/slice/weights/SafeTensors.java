package slice.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Tensor;
import slice.weights.io.AtomicFiles;

/**
 * The safetensors format (Hugging Face), float32 only: what our fine-tuned models store their tensors in.
 *
 * <pre>
 * bytes 0..8        header length n, unsigned 64-bit little-endian
 * bytes 8..8+n      UTF-8 JSON: {"Conv1/kernel": {"dtype": "F32", "shape": [3, 3, 3, 16], "data_offsets": [0, 1728]}, …,
 *                                "__metadata__": {"format": "…"}}   (padded with spaces to a multiple of 8)
 * bytes 8+n..       the data section: every tensor's values, row-major little-endian float32, at its data_offsets
 *                   (relative to the data section), back to back with no gap and nothing after the last one
 * </pre>
 * Reading checks all of it — header length, JSON, dtype, shape against byte count, offsets inside the file, no gap or
 * overlap, and every value finite (no NaN or infinity: no weight, optimiser state or centroid we store can be one) —
 * so a truncated or edited file is a one-line {@link WeightsException}, never a garbage tensor.
 */
public final class SafeTensors {
    private SafeTensors() { }

    /** The file's tensors, in data order, and its {@code __metadata__} strings. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) { }

    /** Headers beyond this are not ours (a float32 file of any real model has a header of a few hundred KB). */
    private static final long MAX_HEADER = 100L << 20;

    /** Writes {@code tensors} (each at its current shape) and {@code metadata} atomically: temp file, then rename. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * e.getValue().size();
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        writeAtomically(file, out -> {
            out.write(head.array());
            for (Tensor t : tensors.values()) streamValues(t, (bytes, length) -> out.write(bytes, 0, length));
        });
    }

    /** Receives a tensor's bytes a chunk at a time, {@code bytes[0, length)}; may throw what its writer throws. */
    @FunctionalInterface
    public interface ByteSink<E extends Exception> {
        void accept(byte[] bytes, int length) throws E;
    }

    /**
     * Hands {@code t}'s values to {@code sink} as float32 little-endian bytes (the layout of a safetensors file's
     * data), in chunks of at most 64 KB, so no tensor-sized byte array is ever made.
     */
    public static <E extends Exception> void streamValues(Tensor t, ByteSink<E> sink) throws E {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0, n = t.size(); i < n; i++) {
            if (!chunk.hasRemaining()) {
                sink.accept(chunk.array(), chunk.position());
                chunk.clear();
            }
            chunk.putFloat(t.data[i]);
        }
        sink.accept(chunk.array(), chunk.position());
    }

    /** Reads and validates a whole file. */
    public static Contents read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read (" + e + ")", e);
        }
        return parse(file, bytes);
    }

    /** Validates and reads {@code bytes}, the content of {@code file} (named in messages). */
    static Contents parse(Path file, byte[] bytes) {
        if (bytes.length < 8) throw new WeightsException(file + ": not a safetensors file (" + bytes.length + " bytes, shorter than its header length)");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > bytes.length - 8) {
            throw new WeightsException(file + ": not a safetensors file or truncated (header length " + Long.toUnsignedString(headerLength)
                    + ", file has " + bytes.length + " bytes)");
        }
        JsonObject header = parseHeader(file, bytes, (int) headerLength);
        long dataStart = 8 + headerLength;
        long dataLength = bytes.length - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        record Entry(String name, int[] shape, long begin, long end) { }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (!e.getValue().isJsonObject()) throw new WeightsException(file + ": __metadata__ is not an object");
                for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                    if (!isString(m.getValue())) throw new WeightsException(file + ": __metadata__ value '" + m.getKey() + "' is not a string");
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
                continue;
            }
            String where = file + ": tensor " + name;
            if (!e.getValue().isJsonObject()) throw new WeightsException(where + " is not described by an object");
            JsonObject t = e.getValue().getAsJsonObject();
            if (!isString(t.get("dtype"))) throw new WeightsException(where + " has no dtype");
            String dtype = t.get("dtype").getAsString();
            if (!dtype.equals("F32")) throw new WeightsException(where + " has dtype " + dtype + "; only F32 is supported");
            int[] shape = intArray(t.get("shape"), where + " shape");
            long[] offsets = Arrays.stream(intArray(t.get("data_offsets"), where + " data_offsets")).asLongStream().toArray();
            if (offsets.length != 2) throw new WeightsException(where + ": data_offsets must be [begin, end]");
            long elements = 1;
            for (int d : shape) elements *= d;
            if (offsets[1] - offsets[0] != 4 * elements) {
                throw new WeightsException(where + ": shape " + Arrays.toString(shape) + " needs " + 4 * elements + " bytes, data_offsets "
                        + Arrays.toString(offsets) + " give " + (offsets[1] - offsets[0]));
            }
            if (offsets[1] > dataLength) {
                throw new WeightsException(file + ": truncated: tensor " + name + " ends at data byte " + offsets[1]
                        + " but the data section has " + dataLength + " bytes");
            }
            entries.add(new Entry(name, shape, offsets[0], offsets[1]));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long expected = 0;
        for (Entry en : entries) {
            if (en.begin() != expected) {
                throw new WeightsException(file + ": tensor " + en.name() + " starts at data byte " + en.begin() + ", expected " + expected
                        + " (tensors must be back to back)");
            }
            expected = en.end();
        }
        if (expected != dataLength) {
            throw new WeightsException(file + ": " + (dataLength - expected) + " bytes after the last tensor (data section " + dataLength
                    + " bytes, tensors cover " + expected + ")");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry en : entries) {
            float[] values = new float[(int) ((en.end() - en.begin()) / 4)];
            buf.position((int) (dataStart + en.begin()));
            buf.asFloatBuffer().get(values);
            WeightValues.requireFinite(values, file + ": tensor " + en.name());
            tensors.put(en.name(), Tensor.wrap(values, en.shape()));
        }
        return new Contents(tensors, metadata);
    }

    private static JsonObject parseHeader(Path file, byte[] bytes, int length) {
        JsonElement root = StrictJson.parse(ByteBuffer.wrap(bytes, 8, length), file + ": header is not UTF-8 text",
                file + ": header is not valid JSON");
        if (!root.isJsonObject()) throw new WeightsException(file + ": header is not a JSON object");
        return root.getAsJsonObject();
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    /** A JSON array of non-negative integers that fit an int. */
    private static int[] intArray(JsonElement e, String what) {
        if (e == null || !e.isJsonArray()) throw new WeightsException(what + " is missing or not an array");
        int[] out = new int[e.getAsJsonArray().size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = e.getAsJsonArray().get(i);
            if (!v.isJsonPrimitive() || !((JsonPrimitive) v).isNumber()) throw new WeightsException(what + " holds a non-number: " + v);
            double d = v.getAsDouble();
            if (d < 0 || d > Integer.MAX_VALUE || d != Math.rint(d)) throw new WeightsException(what + " holds " + v + ", not a size");
            out[i] = (int) d;
        }
        return out;
    }

    /** {@link AtomicFiles#write}, its failure a one-line {@link WeightsException} naming the file. */
    static void writeAtomically(java.nio.file.Path file, AtomicFiles.Body body) {
        try {
            AtomicFiles.write(file, body);
        } catch (java.io.IOException e) {
            throw new WeightsException(file + ": cannot write (" + AtomicFiles.reason(e) + ")", e);
        }
    }
}
