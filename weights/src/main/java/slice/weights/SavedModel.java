package slice.weights;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.models.Architecture;
import slice.models.ModelSpec;
import slice.models.Preprocessing;
import slice.weights.io.AtomicFiles;

/**
 * Our format for fine-tuned models: two files side by side.
 * <ul>
 *   <li>{@code face.safetensors} — every weight of the graph ({@link Graph#weights()}: trainable parameters and
 *       batch-norm moving statistics), named by {@link Param#name} ({@code Conv1/kernel}), float32, see
 *       {@link SafeTensors};</li>
 *   <li>{@code face.json} — the {@link ModelCard} (architecture, alpha, input size, cut layer, class names,
 *       preprocessing, training metadata) plus the name, byte size and SHA-256 of the tensor file it belongs to.</li>
 * </ul>
 * The checksum ties the pair together: a tensor file that was replaced, edited or cut short no longer matches its
 * sidecar, and loading says so in one line instead of running a network on wrong numbers.
 *
 * <p>Saving replaces a pair without ever showing a reader half of one ({@link #save}): both new files are first
 * written complete beside the old pair under staged names ({@code .face.safetensors.next}, {@code .face.json.next}),
 * then renamed into place, tensors first. A reader takes the staged sidecar when it describes the tensor file in place
 * (size and SHA-256), else {@code face.json}; so a save stopped at any point — a crash, {@code kill -9}, a full disk —
 * leaves a loadable model: the old one before the tensors' rename, the new one after it. The next save
 * ({@link #finishInterruptedSave}) completes or removes what a stopped one left.
 *
 * <p>The sidecar covers itself too (format version 2): {@code card_sha256} is the SHA-256 of the sidecar's other fields
 * ({@link #cardSha256}), so an edited field — an input size, a threshold, a class name — is refused rather than
 * believed. Every field is also checked for its type and range on loading, before the checksum, so a value out of range
 * is named as such; version 1 sidecars (written before the checksum) load with those checks alone.
 */
public final class SavedModel {
    private SavedModel() { }

    static final String FORMAT = "slice-model";
    static final int VERSION = 2;
    /** The first version whose sidecar carries {@code card_sha256}. */
    private static final int CARD_CHECKSUM_SINCE = 2;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

    /** The sidecar of a tensor file: {@code face.safetensors → face.json}. */
    public static Path sidecarOf(Path tensorsFile) {
        String name = tensorsFile.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return tensorsFile.resolveSibling(stem + ".json");
    }

    /** Where a save stages the tensors before its rename: {@code face.safetensors → .face.safetensors.next}. */
    static Path stagedTensorsOf(Path tensorsFile) {
        return tensorsFile.resolveSibling("." + tensorsFile.getFileName() + ".next");
    }

    /** Where a save stages the sidecar before its rename: {@code face.safetensors → .face.json.next}. */
    static Path stagedSidecarOf(Path tensorsFile) {
        return tensorsFile.resolveSibling("." + sidecarOf(tensorsFile).getFileName() + ".next");
    }

    /** Saves every weight of {@code graph} to {@code tensorsFile} and the card to its {@link #sidecarOf sidecar}. */
    public static void save(Path tensorsFile, Graph graph, ModelCard card) {
        save(tensorsFile, graph, Map.of(), card);
    }

    /**
     * Saves as {@link #save(Path, Graph, ModelCard)}, plus {@code extra} tensors that are not weights of the graph
     * but belong to the model (e.g. a recogniser's per-person centroids), written after the weights in map order.
     *
     * <p>The steps, each a whole-file atomic write or a rename (see the class comment for what a reader sees):
     * <ol>
     *   <li>finish what an interrupted save left ({@link #finishInterruptedSave});</li>
     *   <li>write the tensors to {@code .face.safetensors.next};</li>
     *   <li>write the sidecar, which records that file's size and SHA-256, to {@code .face.json.next};</li>
     *   <li>rename {@code .face.safetensors.next} to {@code face.safetensors}: from here the staged sidecar describes it;</li>
     *   <li>rename {@code .face.json.next} to {@code face.json}.</li>
     * </ol>
     * A failure in steps 2–3 leaves the old pair in place; a failure in step 5 leaves the new tensors with their staged
     * sidecar, which readers take. Two saves into one folder at once are not supported (the commands lock it).
     */
    public static void save(Path tensorsFile, Graph graph, Map<String, Tensor> extra, ModelCard card) {
        if (!tensorsFile.getFileName().toString().endsWith(".safetensors")) {
            throw new WeightsException(tensorsFile + ": a model file name must end in .safetensors");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Param p : graph.weights()) {
            if (tensors.put(p.name, p.value) != null) throw new WeightsException(tensorsFile + ": two weights are named " + p.name);
        }
        extra.forEach((name, t) -> {
            if (tensors.put(name, t) != null) throw new WeightsException(tensorsFile + ": two tensors are named " + name);
        });
        Map<String, String> metadata = new LinkedHashMap<>();   // ordered: the same model gives the same bytes
        metadata.put("format", FORMAT);
        metadata.put("architecture", card.architecture().id);
        finishInterruptedSave(tensorsFile);
        Path stagedTensors = stagedTensorsOf(tensorsFile);
        SafeTensors.write(stagedTensors, tensors, metadata);

        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("version", VERSION);
        json.addProperty("architecture", card.architecture().id);
        json.addProperty("alpha", card.alpha()); // a Float: 0.35, not the double 0.3499999940395355
        json.addProperty("input_size", card.inputSize());
        json.addProperty("cut_layer", card.cutLayer());
        json.add("class_names", GSON.toJsonTree(card.classNames()));
        json.addProperty("preprocessing", card.preprocessing().describe());
        json.add("training", GSON.toJsonTree(card.training()));
        JsonObject weights = new JsonObject();
        weights.addProperty("file", tensorsFile.getFileName().toString());
        weights.addProperty("bytes", size(stagedTensors));
        weights.addProperty("sha256", sha256(stagedTensors));
        weights.addProperty("tensors", tensors.size());
        json.add("weights", weights);
        json.addProperty("card_sha256", cardSha256(JsonParser.parseString(json.toString()).getAsJsonObject()));
        byte[] text = (GSON.toJson(json) + "\n").getBytes(StandardCharsets.UTF_8);
        SafeTensors.writeAtomically(stagedSidecarOf(tensorsFile), out -> out.write(text));
        rename(stagedTensors, tensorsFile);
        rename(stagedSidecarOf(tensorsFile), sidecarOf(tensorsFile));
    }

    /**
     * Completes or removes what a save stopped between its steps left beside {@code tensorsFile}: a staged sidecar
     * that describes the tensor file in place is renamed into place (the save had renamed the tensors), any other
     * staged file is deleted. Call it only while no other save into the folder runs.
     */
    public static void finishInterruptedSave(Path tensorsFile) {
        Path stagedSidecar = stagedSidecarOf(tensorsFile);
        try {
            if (stagedPair(tensorsFile) != null) rename(stagedSidecar, sidecarOf(tensorsFile));
            Files.deleteIfExists(stagedSidecar);
            Files.deleteIfExists(stagedTensorsOf(tensorsFile));
        } catch (IOException e) {
            throw new WeightsException(stagedSidecar.getParent() + ": cannot remove the staged files of an interrupted save (" + e + ")", e);
        }
    }

    private static void rename(Path from, Path to) {
        try {
            AtomicFiles.moveIntoPlace(from, to);
        } catch (IOException e) {
            throw new WeightsException(to + ": cannot write (" + e + ")", e);
        }
    }

    /** Whether {@code sidecar} records this size and SHA-256 for its tensor file. */
    private static boolean describes(JsonObject sidecar, long size, String sha256) {
        JsonElement weights = sidecar.get("weights");
        if (weights == null || !weights.isJsonObject()) return false;
        JsonElement bytes = weights.getAsJsonObject().get("bytes"), sha = weights.getAsJsonObject().get("sha256");
        return bytes != null && bytes.isJsonPrimitive() && bytes.getAsJsonPrimitive().isNumber() && bytes.getAsLong() == size
                && sha != null && sha.isJsonPrimitive() && sha.getAsString().equals(sha256);
    }

    /** Reads and validates the sidecar of {@code tensorsFile}: what to build before {@link #load}. */
    public static ModelCard readCard(Path tensorsFile) {
        return checkedCard(tensorsFile, readSidecar(tensorsFile));
    }

    /**
     * Lower-case hex SHA-256 of {@code sidecar}'s fields other than {@code card_sha256}, as compact JSON in their order
     * (Gson keeps each number's text as parsed, so the same file always gives the same text).
     */
    static String cardSha256(JsonObject sidecar) {
        JsonObject fields = sidecar.deepCopy();
        fields.remove("card_sha256");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fields.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The card of a parsed sidecar: every field checked for type and range, then (version 2 on) against {@code card_sha256}. */
    private static ModelCard checkedCard(Path tensorsFile, JsonObject sidecar) {
        ModelCard card = parseCard(tensorsFile, sidecar);
        Path sc = sidecarOf(tensorsFile);
        if (number(sidecar, "version", sc).intValue() >= CARD_CHECKSUM_SINCE && !string(sidecar, "card_sha256", sc).equals(cardSha256(sidecar))) {
            throw new WeightsException(sc + ": its fields were edited after it was written (card_sha256 does not match them);"
                    + " restore the file as train wrote it, or train again");
        }
        return card;
    }

    /**
     * Loads a saved model into {@code graph}, which must have exactly the saved weights (same names and shapes; build
     * it from {@link #readCard}). Checks the sidecar, the tensor file's size and checksum, and every tensor before
     * the first value is copied. Returns the card.
     */
    public static ModelCard load(Path tensorsFile, Graph graph) {
        return load(tensorsFile, graph, Map.of());
    }

    /**
     * Loads as {@link #load(Path, Graph)}, and fills each of the {@code extra} tensors (already shaped) from the
     * tensor of the same name, checked like the weights.
     */
    public static ModelCard load(Path tensorsFile, Graph graph, Map<String, Tensor> extra) {
        Path sc = sidecarOf(tensorsFile);
        JsonObject sidecar;
        byte[] content;
        String actualSha;
        int reads = 0;
        do {   // read again when a save replaced the pair between reading the sidecar and reading the tensors
            sidecar = readSidecar(tensorsFile);
            if (!Files.isRegularFile(tensorsFile)) throw new WeightsException(tensorsFile + ": no such file (its sidecar " + sc + " exists)");
            content = bytesOf(tensorsFile);   // read once: the bytes checked are the bytes loaded
            actualSha = Checksums.hex(content, "SHA-256");
        } while (!describes(sidecar, content.length, actualSha) && ++reads < 5);
        ModelCard card = checkedCard(tensorsFile, sidecar);
        JsonObject weights = object(sidecar, "weights", sc);
        String file = string(weights, "file", sc);
        if (!file.equals(tensorsFile.getFileName().toString())) {
            throw new WeightsException(sc + " describes " + file + ", not " + tensorsFile.getFileName());
        }
        long bytes = number(weights, "bytes", sc).longValue();
        if (content.length != bytes) {
            throw new WeightsException(tensorsFile + ": " + content.length + " bytes, but " + sc.getFileName() + " records " + bytes
                    + (content.length < bytes ? " (truncated)" : ""));
        }
        if (!actualSha.equals(string(weights, "sha256", sc))) {
            throw new WeightsException(tensorsFile + ": SHA-256 differs from the one " + sc.getFileName() + " records (file modified or replaced)");
        }

        SafeTensors.Contents contents = SafeTensors.parse(tensorsFile, content);
        List<String> expected = new ArrayList<>();
        Map<String, Tensor> targets = new LinkedHashMap<>();
        for (Param p : graph.weights()) targets.put(p.name, p.value);
        targets.putAll(extra);
        Map<Tensor, Tensor> copies = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> target : targets.entrySet()) {
            String name = target.getKey();
            expected.add(name);
            Tensor t = contents.tensors().get(name);
            if (t == null) throw new WeightsException(tensorsFile + ": missing tensor " + name + " " + Arrays.toString(target.getValue().shape()));
            if (!Arrays.equals(t.shape(), target.getValue().shape())) {
                throw new WeightsException(tensorsFile + ": tensor " + name + " has shape " + Arrays.toString(t.shape())
                        + " in the file, the network expects " + Arrays.toString(target.getValue().shape()));
            }
            copies.put(target.getValue(), t);
        }
        var known = new HashSet<>(expected);
        for (Map.Entry<String, Tensor> e : contents.tensors().entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new WeightsException(tensorsFile + ": unexpected tensor " + e.getKey() + " " + Arrays.toString(e.getValue().shape())
                        + ", the network has no such weight");
            }
        }
        copies.forEach((target, t) -> System.arraycopy(t.data, 0, target.data, 0, t.size()));
        return card;
    }

    // ---- sidecar parsing: every field present and of the right type ----

    /** The sidecar that goes with the tensor file in place: the staged one if it describes it, else {@code face.json}. */
    private static JsonObject readSidecar(Path tensorsFile) {
        JsonObject staged = stagedPair(tensorsFile);
        if (staged != null) return staged;
        Path sc = sidecarOf(tensorsFile);
        if (!Files.isRegularFile(sc)) throw new WeightsException(tensorsFile + ": its sidecar " + sc + " is missing");
        return parseSidecar(sc);
    }

    /** The staged sidecar if there is one and it describes the tensor file in place; else {@code null}. */
    private static JsonObject stagedPair(Path tensorsFile) {
        Path staged = stagedSidecarOf(tensorsFile);
        if (!Files.isRegularFile(staged)) return null;
        try {
            JsonObject json = parseSidecar(staged);
            return Files.isRegularFile(tensorsFile) && describes(json, size(tensorsFile), sha256(tensorsFile)) ? json : null;
        } catch (WeightsException e) {
            return null;   // not a sidecar: the pair is the one in place
        }
    }

    private static JsonObject parseSidecar(Path sc) {
        try {
            JsonElement root = JsonParser.parseString(Files.readString(sc, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) throw new WeightsException(sc + ": not a JSON object");
            JsonObject json = root.getAsJsonObject();
            if (!FORMAT.equals(json.has("format") && json.get("format").isJsonPrimitive() ? json.get("format").getAsString() : null)) {
                throw new WeightsException(sc + ": not a Slice model sidecar (format is not \"" + FORMAT + "\")");
            }
            double version = number(json, "version", sc).doubleValue();
            if (!(version >= 1 && version <= VERSION && version == Math.rint(version))) {
                throw new WeightsException(sc + ": format version " + json.get("version") + ", this Slice reads versions 1 to " + VERSION);
            }
            return json;
        } catch (IOException e) {
            throw new WeightsException(sc + ": cannot read (" + e + ")", e);
        } catch (JsonParseException e) {
            throw new WeightsException(sc + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static ModelCard parseCard(Path tensorsFile, JsonObject json) {
        Path sc = sidecarOf(tensorsFile);
        float alpha = number(json, "alpha", sc).floatValue();
        if (!(alpha > 0)) throw new WeightsException(sc + ": alpha " + alpha + " must be positive");
        int inputSize = (int) inRange(json, "input_size", sc, 1, ModelSpec.MAX_SIZE, true);
        String cut = json.has("cut_layer") && !json.get("cut_layer").isJsonNull() ? string(json, "cut_layer", sc) : null;
        if (!json.has("class_names") || !json.get("class_names").isJsonArray()) throw new WeightsException(sc + ": class_names is missing or not a list");
        List<String> classes = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("class_names")) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw new WeightsException(sc + ": class_names holds a non-string: " + e);
            classes.add(e.getAsString());
        }
        if (classes.isEmpty() || new HashSet<>(classes).size() != classes.size()) {
            throw new WeightsException(sc + ": class_names must be a non-empty list of distinct names");
        }
        Map<String, Object> training = GSON.fromJson(object(json, "training", sc), new TypeToken<Map<String, Object>>() { }.getType());
        try {
            return new ModelCard(Architecture.byName(string(json, "architecture", sc)), alpha, inputSize, cut, classes,
                    Preprocessing.parse(string(json, "preprocessing", sc)), training);
        } catch (IllegalArgumentException e) {
            throw new WeightsException(sc + ": " + e.getMessage());
        }
    }

    /**
     * The number {@code key}, which must lie in [{@code min}, {@code max}] (and be a whole number if {@code whole}); a
     * value outside is a one-line error naming the sidecar and the field, checked before the value sizes anything.
     */
    static double inRange(JsonObject json, String key, Path sc, double min, double max, boolean whole) {
        double v = number(json, key, sc).doubleValue();
        if (!(v >= min && v <= max) || whole && v != Math.rint(v)) {
            throw new WeightsException(sc + ": " + key + " is " + json.get(key) + ", not " + (whole ? "a whole number" : "a number")
                    + " in [" + format(min) + ", " + format(max) + "]");
        }
        return v;
    }

    /** {@code 2048} rather than {@code 2048.0}; {@code 0.5} as is. */
    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String string(JsonObject json, String key, Path sc) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isEmpty()) {
            throw new WeightsException(sc + ": " + key + " is missing or not a non-empty string");
        }
        return e.getAsString();
    }

    private static Number number(JsonObject json, String key, Path sc) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new WeightsException(sc + ": " + key + " is missing or not a number");
        return e.getAsNumber();
    }

    private static JsonObject object(JsonObject json, String key, Path sc) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonObject()) throw new WeightsException(sc + ": " + key + " is missing or not an object");
        return e.getAsJsonObject();
    }

    // ---- file facts ----

    private static byte[] bytesOf(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read (" + e + ")", e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read (" + e + ")", e);
        }
    }

    /** Lower-case hex SHA-256 of a file's bytes. */
    static String sha256(Path file) {
        return Checksums.hex(file, "SHA-256");
    }
}
