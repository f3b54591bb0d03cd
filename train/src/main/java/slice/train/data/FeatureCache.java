package slice.train.data;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import slice.engine.Parallel;
import slice.models.Preprocessing;
import slice.weights.io.AtomicFiles;

/**
 * A disk cache of the frozen backbone's activations at the cut, so they are computed once per image (and per
 * augmented copy) and re-runs and extra epochs are nearly free.
 *
 * <p><b>Key.</b> SHA-256 of: the image content hash ({@link Sample#sha256()}, so renaming or moving a photo keeps
 * its entry), the {@link Spec} (model, weights-file hash, cut layer, input size, scaling), the preprocessing version, the
 * face crop ({@link FaceIndex#key()}) when the images are faces found in photos, the copy index and, for copies ≥ 1,
 * {@link Augmentation#key()}. Copy 0 is the plain image, shared by runs with and
 * without augmentation.
 *
 * <p><b>Format.</b> One file per entry, {@code dir/ab/abcdef….f32}: {@code "SLFC"}, int32 version, int32 length n,
 * n float32, int32 CRC32 of everything before it; little-endian. Written to a temporary file in the same folder and
 * renamed into place, so readers see a whole entry or none; not flushed to disk first
 * ({@link AtomicFiles#writeChecksummed}): an entry with the wrong size, length or checksum (truncated, corrupted, cut
 * short by a crash, from another model) is recomputed.
 */
public final class FeatureCache {
    /**
     * What the features depend on besides the image and the copy.
     *
     * @param model         the backbone as the user named it, e.g. {@code "mobilenetv2 alpha=0.5"}
     * @param weightsSha256 hex SHA-256 of the weights file ({@link Hashes#sha256Hex(Path)})
     * @param cut           the layer whose output is cached
     * @param imageSize     the square input size
     * @param scaling       the model's input scaling
     */
    public record Spec(String model, String weightsSha256, String cut, int imageSize, Preprocessing scaling) {
        String key() {
            return "model=" + model + "\nweights=" + weightsSha256 + "\ncut=" + cut + "\nsize=" + imageSize
                + "\nscaling=" + scaling.describe();
        }
    }

    /** Bumped whenever decoding or preprocessing changes what an image turns into. */
    private static final String PREPROCESS_VERSION = "preprocess-v1";
    private static final int MAGIC = 0x43464C53;    // "SLFC" read little-endian
    private static final int VERSION = 1;
    private static final int HEADER = 12, TRAILER = 4;

    private final Path dir;
    private final Spec spec;
    private final Augmentation augmentation;
    private final FaceIndex faces;
    private final ThreadLocal<Preprocessor> preprocessors;
    /** The most images the next batch may hold while the extractor warms up: 1, 2, 4, … ({@link #features}). */
    private int warmUpBatch = 1;

    /**
     * @param dir          the cache folder (created when needed; may be shared by runs, models and data sets)
     * @param augmentation distortions for copies ≥ 1, or {@code null} when only copy 0 is ever requested
     * @param faces        where the face of each sample is ({@code --faces detect}; the samples must be located), or
     *                     {@code null} to use whole images
     */
    public FeatureCache(Path dir, Spec spec, Augmentation augmentation, FaceIndex faces) {
        this.dir = dir;
        this.spec = spec;
        this.augmentation = augmentation;
        this.faces = faces;
        this.preprocessors = ThreadLocal.withInitial(() -> new Preprocessor(spec.imageSize(), spec.scaling()));
    }

    /**
     * Returns the features of copies {@code 0 .. copies-1} of every sample, computing (in batches of
     * {@code batchSize}) only those with no valid entry: images are decoded and preprocessed in parallel, passed to
     * {@code extractor}, and each result written atomically. {@code progress} counts the images computed (cache hits
     * are not shown; it is not started when everything is cached).
     *
     * <p>This cache's first batches are smaller: 1, 2, 4, … images, doubling up to {@code batchSize}. A fresh JVM runs
     * the extractor's kernels interpreted, many times slower, until the JIT compiler has compiled them after their
     * first calls; a small first batch gets those calls made, and the kernels compiled, with little work done at that
     * speed. The features do not depend on the batch size ({@link Extractor}).
     *
     * @param copies 1 for the plain images only (validation, test, no augmentation); K + 1 for K augmented copies
     * @throws DataException if an image changed or became unreadable since the data set was scanned
     * @throws IOException   if the cache folder cannot be written
     */
    public CachedFeatures features(List<Sample> samples, int copies, Extractor extractor, int batchSize, Progress progress)
            throws IOException {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (copies < 1) throw new IllegalArgumentException("copies must be >= 1, got " + copies);
        if (copies > 1 && augmentation == null) {
            throw new IllegalArgumentException(copies + " copies requested but the cache has no augmentation");
        }
        List<Item> items = new ArrayList<>(samples.size() * copies);
        for (Sample s : samples) for (int c = 0; c < copies; c++) items.add(new Item(s, c));
        List<Path> entries = new ArrayList<>(items.size());
        List<Integer> missing = new ArrayList<>();
        int length = -1;
        for (int i = 0; i < items.size(); i++) {
            Path entry = entryFor(items.get(i).sample(), items.get(i).copy());
            entries.add(entry);
            int found = validLength(entry, length);
            if (found < 0) missing.add(i);
            else length = found;
        }
        if (!missing.isEmpty()) {
            progress.start(missing.size());
            try {
                int imageLength = spec.imageSize() * spec.imageSize() * 3;
                float[] batch = new float[Math.min(batchSize, missing.size()) * imageLength];
                for (int from = 0, count; from < missing.size(); from += count) {
                    count = Math.min(Math.min(batchSize, warmUpBatch), missing.size() - from);
                    warmUpBatch = (int) Math.min(2L * warmUpBatch, batchSize);
                    List<Item> batchItems = new ArrayList<>(count);
                    for (int k = 0; k < count; k++) batchItems.add(items.get(missing.get(from + k)));
                    prepare(batchItems, batch, imageLength);
                    float[] features = extractor.extract(batch, count);
                    if (features.length % count != 0 || features.length == 0)
                        throw new IllegalStateException("extractor returned " + features.length + " floats for " + count + " images");
                    int n = features.length / count;
                    if (length >= 0 && n != length)
                        throw new IllegalStateException("extractor returned " + n + " features per image, cache holds " + length);
                    length = n;
                    for (int k = 0; k < count; k++) store(entries.get(missing.get(from + k)), features, k * n, n);
                    progress.advance(count);
                }
            } finally {
                progress.finish();
            }
        }
        int[] labels = samples.stream().mapToInt(Sample::label).toArray();
        return new CachedFeatures(entries, labels, copies, Math.max(length, 0));
    }

    /** One feature vector to produce: a sample's copy 0 (plain) or augmented copy 1..K. */
    private record Item(Sample sample, int copy) { }

    /** Decodes and preprocesses a batch into {@code batch}, in parallel over images. */
    private void prepare(List<Item> batchItems, float[] batch, int imageLength) {
        String[] failure = new String[batchItems.size()];
        Parallel.forRange(batchItems.size(), (from, to) -> {
            Preprocessor pre = preprocessors.get();
            for (int k = from; k < to; k++) {
                Item item = batchItems.get(k);
                try {
                    byte[] bytes = Files.readAllBytes(item.sample().file());
                    if (!Hashes.sha256Hex(bytes).equals(item.sample().sha256())) {
                        failure[k] = item.sample().file() + " changed since the data folder was scanned; run again";
                        continue;
                    }
                    RgbImage image = image(pre, item.sample(), bytes);
                    Transform t = item.copy() == 0 ? Transform.whole(image.width(), image.height())
                        : augmentation.transform(item.sample().sha256(), item.copy(), image.width(), image.height());
                    pre.preprocess(image, t, batch, k * imageLength);
                } catch (IOException e) {
                    failure[k] = item.sample().file() + " became unusable since the data folder was scanned: " + e.getMessage();
                }
            }
        });
        for (String f : failure) if (f != null) throw new DataException(f);
    }

    /** The image the backbone sees of {@code sample}: the decoded photo, or its aligned face. */
    private RgbImage image(Preprocessor pre, Sample sample, byte[] bytes) throws IOException {
        if (faces == null) return pre.decode(bytes);
        ImageDecoder.Scaled photo = pre.decodeScaled(bytes);
        return faces.crop(photo.image(), photo.factor(), faces.face(sample).photoToCrop());
    }

    /** The entry file of copy {@code copy} of {@code sample} (see the class comment for the key). */
    Path entryFor(Sample sample, int copy) {
        String key = Hashes.sha256Hex(PREPROCESS_VERSION + "\n" + spec.key() + (faces == null ? "" : "\nfaces=" + faces.key())
            + "\nimage=" + sample.sha256()
            + "\ncopy=" + copy + (copy > 0 ? "\n" + augmentation.key() : ""));
        return dir.resolve(key.substring(0, 2)).resolve(key + ".f32");
    }

    /** The entry's feature length if it is whole and matches {@code expected} (when ≥ 0), else -1. */
    private static int validLength(Path entry, int expected) throws IOException {
        ByteBuffer bytes;
        try {
            bytes = ByteBuffer.wrap(Files.readAllBytes(entry)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            return -1;
        }
        if (bytes.capacity() < HEADER + TRAILER || bytes.getInt(0) != MAGIC || bytes.getInt(4) != VERSION) return -1;
        int n = bytes.getInt(8);
        if (n <= 0 || (expected >= 0 && n != expected) || bytes.capacity() != HEADER + 4L * n + TRAILER) return -1;
        return checksumMatches(bytes, n) ? n : -1;
    }

    private static boolean checksumMatches(ByteBuffer bytes, int n) {
        CRC32 crc = new CRC32();
        crc.update(bytes.array(), 0, HEADER + 4 * n);
        return (int) crc.getValue() == bytes.getInt(HEADER + 4 * n);
    }

    /** Reads a whole, valid entry of {@code n} floats into {@code dst}; false if it is damaged. */
    static boolean load(Path entry, int n, float[] dst, int offset) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(entry)).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.capacity() != HEADER + 4L * n + TRAILER || bytes.getInt(0) != MAGIC || bytes.getInt(8) != n
            || !checksumMatches(bytes, n)) return false;
        bytes.position(HEADER);
        bytes.asFloatBuffer().get(dst, offset, n);
        return true;
    }

    /**
     * Writes one entry atomically: temporary file in the same folder, then rename. A failure names the entry and says it
     * is the cache's, which a full disk of the cache (not of the output) makes the question.
     */
    private static void store(Path entry, float[] features, int offset, int n) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(HEADER + 4 * n + TRAILER).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(MAGIC).putInt(VERSION).putInt(n);
        bytes.asFloatBuffer().put(features, offset, n);
        CRC32 crc = new CRC32();
        crc.update(bytes.array(), 0, HEADER + 4 * n);
        bytes.putInt(HEADER + 4 * n, (int) crc.getValue()).rewind();
        try {
            AtomicFiles.writeChecksummed(entry, out -> out.write(bytes.array()));
        } catch (FileSystemException e) {
            FileSystemException cache = new FileSystemException(e.getFile(), e.getOtherFile(),
                    AtomicFiles.reason(e) + " (writing the feature cache; --cache DIR puts it elsewhere)");
            cache.initCause(e);
            throw cache;
        }
    }
}
