package slice.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import slice.engine.Param;
import slice.engine.Tensor;

/**
 * TensorFlow.js weights: a {@code *-weights_manifest.json} and the binary shards it names (the layout of
 * {@code tfjs-converter}, and of the face-api.js models).
 *
 * <pre>
 * [ {"paths": ["m-shard1", "m-shard2"],            a group: its shards, relative to the manifest, concatenated in
 *    "weights": [                                  this order, hold its tensors back to back in this order (no gaps)
 *      {"name": "conv0/filters", "shape": [3, 3, 3, 16], "dtype": "float32"},
 *      {"name": "conv0/bias", "shape": [16], "dtype": "float32",
 *       "quantization": {"dtype": "uint8", "scale": 0.0052, "min": -0.92}}, …]},
 *   … ]
 * </pre>
 * A tensor is stored as its {@code quantization.dtype} if it has one, else as its {@code dtype}: float32 and int32 in 4
 * bytes, uint16 and float16 in 2, uint8 in 1, little-endian. Its values are what tfjs-core's {@code decodeWeights}
 * computes:
 * <ul>
 *   <li>float32: the IEEE single; int32: the integer, which must be exactly representable as a float;</li>
 *   <li>uint8 or uint16 q: {@code (float) (min + scale·q)}, computed in double; for an int32 tensor the result is
 *       rounded to the nearest integer (halves up, as JavaScript's {@code Math.round});</li>
 *   <li>float16 h (float32 tensors only): the IEEE half-precision value of h.</li>
 * </ul>
 * The manifest is checked before any tensor is allocated — JSON syntax, every field, unique names, shard files present
 * and inside the manifest's folder, and each group's declared byte count against the shards' total length (a truncated
 * shard or trailing bytes name the tensor and the byte counts). Every decoded value must be finite. Each failure is a
 * one-line {@link WeightsException} naming the file and the tensor. A weight's optional {@code group} field (tfjs marks
 * optimizer state with it) is ignored: such tensors are read like the others.
 */
public final class TfjsWeights {
    /** Manifests beyond this are not weight manifests (face-api's largest is 20 KB; big converted models a few MB). */
    private static final long MAX_MANIFEST_BYTES = 64L << 20;

    private final Path manifest;
    private final Map<String, Tensor> tensors;

    private TfjsWeights(Path manifest, Map<String, Tensor> tensors) {
        this.manifest = manifest;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Reads the manifest, checks it against its shards, and decodes every tensor. */
    public static TfjsWeights read(Path manifest) {
        JsonElement root = parseManifest(manifest);
        if (!root.isJsonArray()) {
            throw new WeightsException(manifest + ": not a weights manifest (the top level is not a JSON array of groups)");
        }
        Path dir = manifest.toAbsolutePath().normalize().getParent();
        List<Group> groups = new ArrayList<>();
        Set<String> names = new HashSet<>();
        JsonArray array = root.getAsJsonArray();
        for (int g = 0; g < array.size(); g++) {
            Group group = parseGroup(manifest, dir, g, array.get(g));
            for (Spec s : group.specs()) {
                if (!names.add(s.name())) throw new WeightsException(manifest + ": tensor " + s.name() + " appears twice");
            }
            checkLength(manifest, g, group);
            groups.add(group);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Group group : groups) {
            try (InputStream in = new ShardsInputStream(group.shards())) {
                for (Spec s : group.specs()) tensors.put(s.name(), Tensor.wrap(decode(manifest, s, in), s.shape()));
            } catch (IOException e) {
                throw new WeightsException(group.shards().get(0) + ": cannot read (" + e + ")", e);
            }
        }
        return new TfjsWeights(manifest, tensors);
    }

    /** The manifest these weights were read from. */
    public Path manifest() { return manifest; }

    /** Every tensor by name, in manifest order (groups in order, then tensors in order within a group). */
    public Map<String, Tensor> tensors() { return tensors; }

    /** The tensor {@code name} (not a copy), which must have exactly {@code shape}. */
    public Tensor tensor(String name, int... shape) {
        Tensor t = tensors.get(name);
        if (t == null) throw new WeightsException(manifest + ": no tensor " + name + " (the manifest has " + tensors.size() + " tensors)");
        if (!Arrays.equals(t.shape(), shape)) {
            throw new WeightsException(manifest + ": tensor " + name + " has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * Copies tensors into network weights: {@code sources} maps each parameter to the name of its tensor. Every name,
     * shape and value ({@link WeightValues#requirePretrained}: at most 10⁵ in magnitude) is checked before the first
     * value is copied, so weights that do not fit leave the network untouched.
     *
     * @return the names of the tensors no parameter asked for, in manifest order
     */
    public List<String> load(Map<Param, String> sources) {
        Map<Param, Tensor> checked = new LinkedHashMap<>();
        sources.forEach((param, name) -> {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new WeightsException(manifest + ": no tensor " + name + " for weight " + param.name + " "
                        + Arrays.toString(param.value.shape()));
            }
            if (!Arrays.equals(t.shape(), param.value.shape())) {
                throw new WeightsException(manifest + ": tensor " + name + " has shape " + Arrays.toString(t.shape()) + ", weight "
                        + param.name + " has shape " + Arrays.toString(param.value.shape()));
            }
            WeightValues.requirePretrained(t.data, manifest + ": tensor " + name);
            checked.put(param, t);
        });
        checked.forEach((param, t) -> System.arraycopy(t.data, 0, param.value.data, 0, t.size()));
        List<String> unused = new ArrayList<>(tensors.keySet());
        unused.removeAll(new HashSet<>(sources.values())); // by equality, whatever map the caller passed
        return unused;
    }

    // ---- reading ----

    /** How a tensor's values are stored in its shard, and the bytes each takes. */
    private enum Storage {
        FLOAT32(4), INT32(4), UINT8(1), UINT16(2), FLOAT16(2);

        final int bytes;

        Storage(int bytes) { this.bytes = bytes; }
    }

    /** One manifest entry: its name, shape, element count, whether its values are integers, and how it is stored. */
    private record Spec(String name, int[] shape, int elements, boolean integer, Storage storage, double scale, double min) {
        long byteCount() { return (long) elements * storage.bytes; }
    }

    /** One group: its shard files and its tensors, in order. */
    private record Group(List<Path> shards, List<Spec> specs) { }

    private static JsonElement parseManifest(Path manifest) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(manifest)) throw new WeightsException(manifest + ": no such weights manifest");
            long size = Files.size(manifest);
            if (size > MAX_MANIFEST_BYTES) throw new WeightsException(manifest + ": " + size + " bytes, too large for a weights manifest");
            bytes = Files.readAllBytes(manifest);
        } catch (IOException e) {
            throw new WeightsException(manifest + ": cannot read (" + e + ")", e);
        }
        return StrictJson.parse(ByteBuffer.wrap(bytes), manifest + ": not UTF-8 text, so not a weights manifest",
                manifest + ": not valid JSON");
    }

    private static Group parseGroup(Path manifest, Path dir, int g, JsonElement element) {
        String where = manifest + ": group " + g;
        if (!element.isJsonObject()) throw new WeightsException(where + " is not an object with paths and weights");
        JsonObject group = element.getAsJsonObject();
        JsonElement paths = group.get("paths");
        if (paths == null || !paths.isJsonArray() || paths.getAsJsonArray().isEmpty()) {
            throw new WeightsException(where + " has no paths (the list of its shard files)");
        }
        for (JsonElement p : paths.getAsJsonArray()) {
            if (!isString(p)) throw new WeightsException(where + ": shard path " + p + " is not a string");
        }
        JsonElement weights = group.get("weights");
        if (weights == null || !weights.isJsonArray()) throw new WeightsException(where + " has no weights list");
        List<Spec> specs = new ArrayList<>();
        for (JsonElement w : weights.getAsJsonArray()) specs.add(parseSpec(where, w));
        List<Path> shards = new ArrayList<>();
        for (JsonElement p : paths.getAsJsonArray()) {
            Path shard = dir.resolve(p.getAsString()).normalize();
            if (!shard.startsWith(dir)) {
                throw new WeightsException(where + ": shard path " + p.getAsString() + " leaves the manifest's folder");
            }
            if (!Files.isRegularFile(shard)) throw new WeightsException(where + ": shard file " + shard + " is missing");
            shards.add(shard);
        }
        return new Group(shards, specs);
    }

    private static Spec parseSpec(String where, JsonElement element) {
        if (!element.isJsonObject() || !isString(element.getAsJsonObject().get("name"))) {
            throw new WeightsException(where + ": weight entry " + element + " has no name");
        }
        JsonObject w = element.getAsJsonObject();
        String name = w.get("name").getAsString();
        String at = where + ": tensor " + name;
        int[] shape = shape(at, w.get("shape"));
        long elements = 1;
        for (int d : shape) elements *= d;
        if (elements > Integer.MAX_VALUE - 8) {
            throw new WeightsException(at + " has " + elements + " elements, more than a Java array holds");
        }
        String dtype = isString(w.get("dtype")) ? w.get("dtype").getAsString() : null;
        boolean integer = "int32".equals(dtype);
        if (!integer && !"float32".equals(dtype)) {
            throw new WeightsException(at + " has dtype " + (dtype == null ? "(none)" : dtype) + "; only float32 and int32 are supported");
        }
        JsonElement q = w.get("quantization");
        if (q == null || q.isJsonNull()) {
            return new Spec(name, shape, (int) elements, integer, integer ? Storage.INT32 : Storage.FLOAT32, 1, 0);
        }
        if (!q.isJsonObject() || !isString(q.getAsJsonObject().get("dtype"))) {
            throw new WeightsException(at + ": quantization has no dtype");
        }
        JsonObject quant = q.getAsJsonObject();
        String stored = quant.get("dtype").getAsString();
        switch (stored) {
            case "uint8", "uint16" -> {
                double scale = finite(at + ": quantization scale", quant.get("scale"));
                double min = finite(at + ": quantization min", quant.get("min"));
                return new Spec(name, shape, (int) elements, integer, stored.equals("uint8") ? Storage.UINT8 : Storage.UINT16, scale, min);
            }
            case "float16" -> {
                if (integer) throw new WeightsException(at + ": float16 quantization is only defined for float32 tensors, not int32");
                return new Spec(name, shape, (int) elements, false, Storage.FLOAT16, 1, 0);
            }
            default -> throw new WeightsException(at + " has quantization dtype " + stored
                    + "; only uint8, uint16 and float16 are supported");
        }
    }

    /** The shards must hold exactly the group's tensors: no fewer bytes (truncated) and no more (trailing bytes). */
    private static void checkLength(Path manifest, int g, Group group) {
        long have = 0;
        for (Path shard : group.shards()) {
            try {
                have += Files.size(shard);
            } catch (IOException e) {
                throw new WeightsException(shard + ": cannot read (" + e + ")", e);
            }
        }
        String files = group.shards().size() == 1 ? group.shards().get(0).toString()
                : group.shards().size() + " shards of group " + g + " of " + manifest;
        long end = 0;
        for (Spec s : group.specs()) {
            end += s.byteCount();
            if (end > have) {
                throw new WeightsException(files + ": truncated: tensor " + s.name() + " ends at byte " + end + " but the file"
                        + (group.shards().size() == 1 ? " has " : "s hold ") + have + " bytes");
            }
        }
        if (end < have) {
            String last = group.specs().isEmpty() ? "no tensors"
                    : "the last tensor, " + group.specs().get(group.specs().size() - 1).name() + ",";
            throw new WeightsException(files + ": " + (have - end) + " bytes more than the manifest describes (" + last + " ends at byte "
                    + end + " of " + have + ")");
        }
    }

    // ---- decoding ----

    /** Bytes decoded per read: a multiple of every storage size. */
    private static final int CHUNK = 1 << 16;

    /** Reads tensor {@code s} from {@code in}, chunk by chunk (a tensor may be larger than a byte array can hold). */
    private static float[] decode(Path manifest, Spec s, InputStream in) throws IOException {
        float[] v = new float[s.elements()];
        byte[] chunk = new byte[CHUNK];
        int perChunk = CHUNK / s.storage().bytes;
        for (int i = 0; i < v.length; ) {
            int count = Math.min(perChunk, v.length - i);
            int want = count * s.storage().bytes;
            if (in.readNBytes(chunk, 0, want) != want) {
                throw new WeightsException(manifest + ": the shards ended inside tensor " + s.name() + " (changed while being read?)");
            }
            ByteBuffer buf = ByteBuffer.wrap(chunk, 0, want).order(ByteOrder.LITTLE_ENDIAN);
            for (int end = i + count; i < end; i++) {
                v[i] = switch (s.storage()) {
                    case FLOAT32 -> buf.getFloat();
                    case INT32 -> exactInt(manifest, s, i, buf.getInt());
                    case UINT8 -> dequantize(s, Byte.toUnsignedInt(buf.get()));
                    case UINT16 -> dequantize(s, Short.toUnsignedInt(buf.getShort()));
                    case FLOAT16 -> halfToFloat(buf.getShort());
                };
                if (!Float.isFinite(v[i])) {
                    throw new WeightsException(manifest + ": tensor " + s.name() + " holds " + v[i] + " at index " + i
                            + " (values must be finite)");
                }
            }
        }
        return v;
    }

    /** {@code min + scale·q} in double, rounded to float; integer tensors round to the nearest integer first. */
    private static float dequantize(Spec s, int q) {
        double x = q * s.scale() + s.min();
        return (float) (s.integer() ? Math.round(x) : x);
    }

    private static float exactInt(Path manifest, Spec s, int i, int value) {
        if ((int) (float) value != value) {
            throw new WeightsException(manifest + ": int32 tensor " + s.name() + " holds " + value + " at index " + i
                    + ", which a float cannot represent exactly");
        }
        return value;
    }

    /**
     * IEEE 754 half precision to single: sign s, 5-bit exponent e, 10-bit fraction f. Normal numbers (0 < e < 31) are
     * (−1)^s·2^(e−15)·(1 + f/1024): the same fraction bits under the exponent rebiased by 127 − 15 = 112. Subnormals
     * (e = 0) are (−1)^s·2^−24·f; e = 31 is ±infinity (f = 0) or NaN.
     */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int fraction = h & 0x3ff;
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f80_0000 | fraction << 13);
        if (exponent != 0) return Float.intBitsToFloat(sign | (exponent + 112) << 23 | fraction << 13);
        float magnitude = Math.scalb((float) fraction, -24);
        return sign == 0 ? magnitude : -magnitude;
    }

    // ---- JSON fields ----

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static double finite(String what, JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
            throw new WeightsException(what + " is missing or not a number");
        }
        double d = e.getAsDouble();
        if (!Double.isFinite(d)) throw new WeightsException(what + " is " + e + ", not a finite number");
        return d;
    }

    /** A shape: a JSON array of non-negative integers that fit an int ({@code []} is a scalar). */
    private static int[] shape(String at, JsonElement e) {
        if (e == null || !e.isJsonArray()) throw new WeightsException(at + " has no shape");
        JsonArray a = e.getAsJsonArray();
        int[] shape = new int[a.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonElement d = a.get(i);
            double x = d.isJsonPrimitive() && ((JsonPrimitive) d).isNumber() ? d.getAsDouble() : -1;
            if (x < 0 || x > Integer.MAX_VALUE || x != Math.rint(x)) {
                throw new WeightsException(at + " has shape " + a + ", not a list of sizes");
            }
            shape[i] = (int) x;
        }
        return shape;
    }

    /** The shards of a group read one after the other as one stream, each opened only when reached. */
    private static final class ShardsInputStream extends InputStream {
        private final List<Path> shards;
        private int next;
        private InputStream current;

        ShardsInputStream(List<Path> shards) {
            this.shards = shards;
        }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (current == null) {
                    if (next == shards.size()) return -1;
                    current = Files.newInputStream(shards.get(next++));
                }
                int n = current.read(b, off, len);
                if (n >= 0) return n;
                current.close();
                current = null;
            }
        }

        @Override public void close() throws IOException {
            if (current != null) current.close();
        }
    }
}
