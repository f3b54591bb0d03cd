package slice.weights;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import slice.engine.Tensor;
import slice.weights.io.AtomicFiles;

/**
 * The people a recogniser knows by their faces, without any training: per person, the 128-number face descriptor of
 * each enrolled photo and that photo's SHA-256 (so the same photo enrolled twice counts once), plus the distance
 * threshold beyond which a face is {@code unknown} and the rule that set it. An immutable value; how faces are matched
 * against it is the recogniser's business ({@code slice.train.GalleryRecogniser}).
 *
 * <p>On disk, in a model folder, two files in the project's format (safetensors + JSON sidecar, as {@link SavedModel}):
 * <ul>
 *   <li>{@code gallery-<16 hex>.safetensors}: one tensor {@code descriptors [photos, 128]}, the photos of the people in
 *       order, and in its {@code __metadata__} the sidecar's fields as compact JSON (key {@code gallery});</li>
 *   <li>{@code gallery.json}, UTF-8: {@code format}, {@code version}, {@code describer}, {@code threshold},
 *       {@code threshold_rule}, {@code people [{name, photos [sha256 …]}]}, and {@code tensors {file, bytes, sha256}}
 *       naming the tensor file.</li>
 * </ul>
 * The tensor file's checksum covers its own bytes and, through its metadata, every field of the sidecar: a truncated,
 * edited or swapped file of either kind is refused in one line. The tensor file's name is a hash of its content, so
 * {@link #write} puts the new tensors beside the old ones, then replaces {@code gallery.json} in one atomic rename (the
 * commit point), then deletes the old tensor file: a reader sees the old gallery or the new one, never a mix.
 *
 * <p>Names ({@link #personName}) are Unicode, NFC-normalised, so "Zoë" typed with a precomposed ë or with e + combining
 * diaeresis is one person; files are written and read as UTF-8 whatever the platform's locale.
 */
public record Gallery(List<Person> people, double threshold, String thresholdRule) {
    public static final String SIDECAR = "gallery.json";
    static final String FORMAT = "slice-gallery";
    static final int VERSION = 1;
    /** The network whose descriptors a gallery holds; a gallery of another describer is refused. */
    public static final String DESCRIBER = "face-api.js face_recognition_model (dlib ResNet), 128 numbers";
    public static final int DESCRIPTOR_SIZE = 128;
    /** The longest name, in Unicode code points. */
    public static final int MAX_NAME = 100;
    private static final Pattern TENSOR_FILE = Pattern.compile("gallery-[0-9a-f]{16}\\.safetensors");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().create();

    /** One enrolled photo: the SHA-256 (lower-case hex) of the file's bytes and the descriptor of its face. */
    public record Photo(String sha256, float[] descriptor) {
        public Photo {
            if (!SHA256.matcher(sha256).matches()) throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256);
            if (descriptor.length != DESCRIPTOR_SIZE) {
                throw new IllegalArgumentException("a descriptor has " + DESCRIPTOR_SIZE + " numbers, got " + descriptor.length);
            }
        }
    }

    /** A person: a name as {@link #personName} returns it, and at least one photo, no two with the same SHA-256. */
    public record Person(String name, List<Photo> photos) {
        public Person {
            if (!name.equals(personName(name))) throw new IllegalArgumentException("not a normalised name: " + name);
            photos = List.copyOf(photos);
            if (photos.isEmpty()) throw new IllegalArgumentException(name + ": a person needs at least one photo");
            Set<String> seen = new HashSet<>();
            for (Photo p : photos) {
                if (!seen.add(p.sha256())) throw new IllegalArgumentException(name + ": photo " + p.sha256() + " is listed twice");
            }
        }
    }

    public Gallery {
        people = List.copyOf(people);
        Set<String> names = new HashSet<>();
        for (Person p : people) if (!names.add(p.name())) throw new IllegalArgumentException("two people are called " + p.name());
        if (!(threshold > 0 && Double.isFinite(threshold))) {
            throw new IllegalArgumentException("threshold must be positive, got " + threshold);
        }
        if (thresholdRule == null || thresholdRule.isBlank()) throw new IllegalArgumentException("the threshold needs its rule");
    }

    /** The person called {@code name} (normalised first), or {@code null}. */
    public Person person(String name) {
        String n = personName(name);
        for (Person p : people) if (p.name().equals(n)) return p;
        return null;
    }

    /**
     * {@code raw} as a person's name: NFC-normalised, surrounding white space removed. Refused (with a message saying
     * why) when empty, longer than {@link #MAX_NAME} code points, or holding a path separator ({@code /}, {@code \}),
     * a control character, a line or paragraph separator, or half a surrogate pair.
     */
    public static String personName(String raw) {
        String name = Normalizer.normalize(raw, Normalizer.Form.NFC).strip();
        if (name.isEmpty()) throw new IllegalArgumentException("a person's name must not be empty");
        if (name.codePointCount(0, name.length()) > MAX_NAME) {
            throw new IllegalArgumentException("a person's name has at most " + MAX_NAME + " characters, got "
                    + name.codePointCount(0, name.length()));
        }
        name.codePoints().forEach(c -> {
            if (c == '/' || c == '\\') throw new IllegalArgumentException("a person's name must not contain '" + (char) c + "': " + name);
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.SURROGATE) {
                throw new IllegalArgumentException(String.format("a person's name must not contain the control character U+%04X", c));
            }
        });
        return name;
    }

    /** Whether {@code folder} holds a gallery (its {@link #SIDECAR}). */
    public static boolean isIn(Path folder) {
        return Files.isRegularFile(folder.resolve(SIDECAR));
    }

    // ---- writing ----

    /** Writes this gallery into {@code folder} (created if needed), replacing the one there atomically; see the class comment. */
    public void write(Path folder) {
        JsonObject fields = fields();
        float[] all = descriptors();
        String fieldsJson = COMPACT.toJson(fields);
        Path tensors = folder.resolve("gallery-" + contentHash(fieldsJson, all) + ".safetensors");
        Map<String, Tensor> map = new LinkedHashMap<>();
        if (all.length > 0) map.put("descriptors", Tensor.wrap(all, all.length / DESCRIPTOR_SIZE, DESCRIPTOR_SIZE));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("gallery", fieldsJson);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new WeightsException(folder + ": cannot create the folder (" + e + ")", e);
        }
        SafeTensors.write(tensors, map, metadata);
        JsonObject sidecar = fields.deepCopy();
        JsonObject file = new JsonObject();
        file.addProperty("file", tensors.getFileName().toString());
        file.addProperty("bytes", size(tensors));
        file.addProperty("sha256", SavedModel.sha256(tensors));
        sidecar.add("tensors", file);
        byte[] text = (PRETTY.toJson(sidecar) + "\n").getBytes(StandardCharsets.UTF_8);
        SafeTensors.writeAtomically(folder.resolve(SIDECAR), out -> out.write(text));
        try (DirectoryStream<Path> old = Files.newDirectoryStream(folder, "gallery-*.safetensors")) {
            for (Path p : old) if (!p.getFileName().equals(tensors.getFileName())) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("warning: " + folder + ": could not delete an old gallery tensor file (" + e.getMessage() + ")");
        }
    }

    /** The sidecar's fields but {@code tensors}, in a fixed order. */
    private JsonObject fields() {
        JsonObject json = new JsonObject();
        json.addProperty("format", FORMAT);
        json.addProperty("version", VERSION);
        json.addProperty("describer", DESCRIBER);
        json.addProperty("threshold", threshold);
        json.addProperty("threshold_rule", thresholdRule);
        JsonArray list = new JsonArray();
        for (Person p : people) {
            JsonObject person = new JsonObject();
            person.addProperty("name", p.name());
            JsonArray photos = new JsonArray();
            for (Photo ph : p.photos()) photos.add(ph.sha256());
            person.add("photos", photos);
            list.add(person);
        }
        json.add("people", list);
        return json;
    }

    private float[] descriptors() {
        int n = people.stream().mapToInt(p -> p.photos().size()).sum();
        float[] all = new float[n * DESCRIPTOR_SIZE];
        int i = 0;
        for (Person p : people) {
            for (Photo ph : p.photos()) {
                System.arraycopy(ph.descriptor(), 0, all, i, DESCRIPTOR_SIZE);
                i += DESCRIPTOR_SIZE;
            }
        }
        return all;
    }

    /** The first 16 hex digits of SHA-256 over the fields' JSON and the descriptors' float bits. */
    private static String contentHash(String fieldsJson, float[] descriptors) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        md.update(fieldsJson.getBytes(StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.allocate(4 * descriptors.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(descriptors);
        md.update(bytes);
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    // ---- reading ----

    /**
     * Reads and checks the gallery in {@code folder}: the sidecar, the tensor file it names (size, SHA-256), the
     * sidecar's fields against the copy in the tensor file, every name and photo hash, and the descriptors' shape.
     */
    public static Gallery read(Path folder) {
        return read(folder, Gallery::readOnce);
    }

    /** One read of the gallery {@code sidecar} (read from {@code sc}) describes; fails if its tensor file does not match. */
    interface ReadOnce {
        Gallery read(Path folder, Path sc, JsonObject sidecar);
    }

    /**
     * {@link #read(Path)} with the single read it retries given, so that a test can commit galleries between a read's
     * sidecar and its tensor file.
     */
    static Gallery read(Path folder, ReadOnce once) {
        Path sc = folder.resolve(SIDECAR);
        for (int attempt = 1; ; attempt++) {
            JsonObject sidecar = readSidecar(sc);
            try {
                return once.read(folder, sc, sidecar);
            } catch (WeightsException e) {
                // A writer may have committed a newer gallery, and deleted this one's tensor file, while it was being
                // read: read again while the sidecar changes. It may also have committed a gallery and then this one
                // again (enrol, then forget: the same sidecar, its tensor file deleted and written anew), so a read
                // that failed under an unchanged sidecar is tried again too, up to three times in all.
                if (readSidecar(sc).equals(sidecar) && attempt >= 3) throw e;
            }
        }
    }

    /** One read of the gallery {@code sidecar} describes: its tensor file checked against it, then parsed ({@link ReadOnce}). */
    static Gallery readOnce(Path folder, Path sc, JsonObject sidecar) {
        Path tensors = tensorFile(sidecar, folder, sc);
        if (!Files.isRegularFile(tensors)) throw new WeightsException(tensors + ": no such file (" + sc + " names it)");
        JsonObject file = sidecar.getAsJsonObject("tensors");
        long bytes = number(file, "bytes", sc).longValue();
        long actual = size(tensors);
        if (actual != bytes) {
            throw new WeightsException(tensors + ": " + actual + " bytes, but " + SIDECAR + " records " + bytes
                    + (actual < bytes ? " (truncated)" : ""));
        }
        if (!SavedModel.sha256(tensors).equals(string(file, "sha256", sc))) {
            throw new WeightsException(tensors + ": SHA-256 differs from the one " + SIDECAR + " records (file modified or replaced)");
        }
        SafeTensors.Contents contents = SafeTensors.read(tensors);
        JsonObject fields = sidecar.deepCopy();
        fields.remove("tensors");
        String stored = contents.metadata().get("gallery");
        JsonElement copy;
        try {
            copy = stored == null ? null : JsonParser.parseString(stored);
        } catch (JsonParseException e) {
            copy = null;
        }
        if (!fields.equals(copy)) {
            throw new WeightsException(sc + ": its fields differ from the copy in " + tensors.getFileName() + " (edited by hand?)");
        }
        return parse(fields, contents, sc);
    }

    private static JsonObject readSidecar(Path sc) {
        try {
            JsonElement root = JsonParser.parseString(Files.readString(sc, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) throw new WeightsException(sc + ": not a JSON object");
            JsonObject json = root.getAsJsonObject();
            if (!json.has("format") || !FORMAT.equals(json.get("format").isJsonPrimitive() ? json.get("format").getAsString() : null)) {
                throw new WeightsException(sc + ": not a Slice gallery (format is not \"" + FORMAT + "\")");
            }
            int version = number(json, "version", sc).intValue();
            if (version != VERSION) {
                throw new WeightsException(sc + ": gallery format version " + version + ", this Slice reads version " + VERSION);
            }
            if (!json.has("tensors") || !json.get("tensors").isJsonObject()) {
                throw new WeightsException(sc + ": tensors is missing or not an object");
            }
            return json;
        } catch (IOException e) {
            throw new WeightsException(sc + ": cannot read (" + e + ")", e);
        } catch (JsonParseException e) {
            throw new WeightsException(sc + ": not valid JSON (truncated or edited?)", e);
        }
    }

    private static Path tensorFile(JsonObject sidecar, Path folder, Path sc) {
        String name = string(sidecar.getAsJsonObject("tensors"), "file", sc);
        if (!TENSOR_FILE.matcher(name).matches()) {
            throw new WeightsException(sc + ": tensors.file '" + name + "' is not a gallery tensor file name");
        }
        return folder.resolve(name);
    }

    private static Gallery parse(JsonObject json, SafeTensors.Contents contents, Path sc) {
        if (!DESCRIBER.equals(string(json, "describer", sc))) {
            throw new WeightsException(sc + ": descriptors of '" + string(json, "describer", sc) + "', this Slice computes " + DESCRIBER);
        }
        if (!json.has("people") || !json.get("people").isJsonArray()) throw new WeightsException(sc + ": people is missing or not a list");
        int total = 0;
        for (JsonElement e : json.getAsJsonArray("people")) {
            if (!e.isJsonObject() || !e.getAsJsonObject().has("photos") || !e.getAsJsonObject().get("photos").isJsonArray()) {
                throw new WeightsException(sc + ": a person is not {name, photos}");
            }
            total += e.getAsJsonObject().getAsJsonArray("photos").size();
        }
        Tensor d = contents.tensors().get("descriptors");
        boolean rows = d != null && d.shape().length == 2 && d.shape()[1] == DESCRIPTOR_SIZE;
        int stored = rows ? d.shape()[0] : 0;
        if (contents.tensors().size() != (d == null ? 0 : 1) || (d != null && !rows) || stored != total) {
            throw new WeightsException(sc + ": lists " + total + " photos, its tensor file holds " + stored + " descriptors of "
                    + DESCRIPTOR_SIZE + " numbers");
        }
        List<Person> people = new ArrayList<>();
        int row = 0;
        try {
            for (JsonElement e : json.getAsJsonArray("people")) {
                String name = string(e.getAsJsonObject(), "name", sc);
                List<Photo> photos = new ArrayList<>();
                for (JsonElement h : e.getAsJsonObject().getAsJsonArray("photos")) {
                    if (!h.isJsonPrimitive() || !h.getAsJsonPrimitive().isString()) {
                        throw new WeightsException(sc + ": " + name + ": a photo is not a SHA-256");
                    }
                    float[] v = new float[DESCRIPTOR_SIZE];
                    System.arraycopy(d.data, row++ * DESCRIPTOR_SIZE, v, 0, DESCRIPTOR_SIZE);
                    photos.add(new Photo(h.getAsString(), v));
                }
                people.add(new Person(name, photos));
            }
            return new Gallery(people, number(json, "threshold", sc).doubleValue(), string(json, "threshold_rule", sc));
        } catch (IllegalArgumentException e) {
            throw new WeightsException(sc + ": " + e.getMessage());
        }
    }

    private static String string(JsonObject json, String key, Path sc) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new WeightsException(sc + ": " + key + " is missing or not a string");
        }
        return e.getAsString();
    }

    private static Number number(JsonObject json, String key, Path sc) {
        JsonElement e = json.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new WeightsException(sc + ": " + key + " is missing or not a number");
        }
        return e.getAsNumber();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read (" + e + ")", e);
        }
    }
}
