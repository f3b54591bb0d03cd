package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;
import slice.engine.SmallDisk;
import slice.models.Preprocessing;

class FeatureCacheTest {
    private static final int SIZE = 32;
    private static final FeatureCache.Spec SPEC =
        new FeatureCache.Spec("fake", Hashes.sha256Hex("weights"), "cut", SIZE, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);

    @TempDir Path tmp;
    private Path cacheDir;
    private List<Sample> samples;

    /** A fake backbone: per image, its three channel means and its first value; counts images it was given. */
    private static final class CountingExtractor implements Extractor {
        final AtomicInteger images = new AtomicInteger();

        @Override
        public float[] extract(float[] batch, int count) {
            images.addAndGet(count);
            int n = SIZE * SIZE * 3;
            float[] out = new float[count * 4];
            for (int i = 0; i < count; i++) {
                for (int p = 0; p < SIZE * SIZE; p++)
                    for (int c = 0; c < 3; c++) out[i * 4 + c] += batch[i * n + 3 * p + c] / (SIZE * SIZE);
                out[i * 4 + 3] = batch[i * n];
            }
            return out;
        }
    }

    @BeforeEach
    void scanFewFaces() throws IOException {
        Path data = tmp.resolve("faces");
        for (String person : List.of("Ariel_Sharon", "Colin_Powell")) {
            for (int k = 1; k <= 3; k++) {
                String file = person + "_000" + k + ".jpg";
                Files.createDirectories(data.resolve(person));
                Files.copy(SharedData.require("faces/lfw_deepfunneled_min20/" + person + "/" + file), data.resolve(person).resolve(file));
            }
        }
        samples = Dataset.scan(data).samples();
        cacheDir = tmp.resolve("cache");
    }

    /** A full cache disk (a 4 KiB tmpfs, when root may mount one) names the entry it could not write and says whose it is. */
    @Test
    void aFullCacheDiskNamesTheEntryAndTheCache() throws Exception {
        try (SmallDisk small = SmallDisk.mount(cacheDir, 4)) {
            try {
                Files.write(cacheDir.resolve("filler"), new byte[8 << 10]);
            } catch (IOException full) {
                assertTrue(full.getMessage().contains("No space left on device"), full.toString());
            }
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> new FeatureCache(cacheDir, SPEC, null, null).features(samples, 1, new CountingExtractor(), 4, Progress.none()));
            assertTrue(Path.of(e.getFile()).startsWith(cacheDir) && e.getFile().endsWith(".f32"), e.getFile());
            assertEquals("No space left on device (writing the feature cache; --cache DIR puts it elsewhere)", e.getReason());
        }
    }

    @Test
    void secondRunComputesNothingAndReadsTheSameFeatures() throws IOException {
        CountingExtractor extractor = new CountingExtractor();
        CachedFeatures first = new FeatureCache(cacheDir, SPEC, null, null).features(samples, 1, extractor, 4, Progress.none());
        assertEquals(6, extractor.images.get());
        assertEquals(6, first.size());
        assertEquals(4, first.sampleSize());
        assertEquals(1, first.label(5));

        CountingExtractor again = new CountingExtractor();
        CachedFeatures second = new FeatureCache(cacheDir, SPEC, null, null).features(samples, 1, again, 4, Progress.none());
        assertEquals(0, again.images.get());
        for (int i = 0; i < 6; i++) assertArrayEquals(read(first, i, 0), read(second, i, 0));
        float[] f = read(second, 0, 0);
        for (float v : f) assertTrue(v >= -1 && v <= 1 && v != 0, "features are real image statistics: " + f[0]);
    }

    /** In batches that grow (1, 2, 2, 1 here), every image's entry holds the features that image alone gives. */
    @Test
    void eachEntryHoldsItsOwnImagesFeatures() throws IOException {
        CachedFeatures cached = new FeatureCache(cacheDir, SPEC, null, null).features(samples, 1, new CountingExtractor(), 2,
                Progress.none());
        Preprocessor pre = new Preprocessor(SIZE, SPEC.scaling());
        float[] image = new float[pre.imageLength()];
        for (int i = 0; i < samples.size(); i++) {
            pre.load(samples.get(i).file(), image, 0);
            assertArrayEquals(new CountingExtractor().extract(image, 1), read(cached, i, 0), samples.get(i).name());
        }
    }

    @Test
    void aDifferentSpecOrNewCopiesMissOnlyWhatIsNew() throws IOException {
        CountingExtractor extractor = new CountingExtractor();
        new FeatureCache(cacheDir, SPEC, null, null).features(samples, 1, extractor, 8, Progress.none());
        FeatureCache.Spec otherWeights = new FeatureCache.Spec("fake", Hashes.sha256Hex("other"), "cut", SIZE, SPEC.scaling());
        new FeatureCache(cacheDir, otherWeights, null, null).features(samples, 1, extractor, 8, Progress.none());
        assertEquals(12, extractor.images.get());

        FeatureCache augmented = new FeatureCache(cacheDir, SPEC, Augmentation.faces(5), null);
        CachedFeatures withCopies = augmented.features(samples, 3, extractor, 8, Progress.none());
        assertEquals(12 + 12, extractor.images.get(), "copy 0 is shared with the plain run; copies 1 and 2 are new");
        assertNotEquals(read(withCopies, 0, 0)[3], read(withCopies, 0, 1)[3]);
        augmented.features(samples, 3, extractor, 8, Progress.none());
        assertEquals(24, extractor.images.get());
        new FeatureCache(cacheDir, SPEC, Augmentation.faces(6), null).features(samples, 3, extractor, 8, Progress.none());
        assertEquals(36, extractor.images.get(), "another augmentation seed draws other copies");
    }

    @Test
    void truncatedCorruptedAndForeignEntriesAreRecomputed() throws IOException {
        FeatureCache cache = new FeatureCache(cacheDir, SPEC, null, null);
        CountingExtractor extractor = new CountingExtractor();
        CachedFeatures clean = cache.features(samples, 1, extractor, 4, Progress.none());
        Path truncated = cache.entryFor(samples.get(0), 0), flipped = cache.entryFor(samples.get(1), 0);
        Path empty = cache.entryFor(samples.get(2), 0);
        byte[] whole = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 3));
        byte[] bytes = Files.readAllBytes(flipped);
        bytes[14] ^= 0x10;
        Files.write(flipped, bytes);
        Files.write(empty, new byte[0]);

        CountingExtractor repair = new CountingExtractor();
        CachedFeatures repaired = cache.features(samples, 1, repair, 4, Progress.none());
        assertEquals(3, repair.images.get());
        for (int i = 0; i < 6; i++) assertArrayEquals(read(clean, i, 0), read(repaired, i, 0));
        try (Stream<Path> files = Files.walk(cacheDir)) {
            List<Path> leftovers = files.filter(p -> p.toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), leftovers, "no temporary files remain");
        }

        Files.write(flipped, bytes);                     // damaged after validation: reading says so
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> read(repaired, 1, 0));
        assertTrue(e.getMessage().contains(flipped.toString()), e.getMessage());
    }

    @Test
    void progressCountsComputedImagesInBatchesThatGrowAtFirst() throws IOException {
        List<Long> steps = new ArrayList<>();
        long[] total = {-1};
        Progress recorder = new Progress() {
            @Override public void start(long t) { total[0] = t; }
            @Override public void advance(long items) { steps.add(items); }
            @Override public void finish() { steps.add(-1L); }
        };
        FeatureCache cache = new FeatureCache(cacheDir, SPEC, Augmentation.faces(5), null);
        cache.features(samples, 1, new CountingExtractor(), 4, recorder);
        assertEquals(6, total[0]);
        assertEquals(List.of(1L, 2L, 3L, -1L), steps, "the first batches grow while the extractor warms up");
        steps.clear();
        cache.features(samples, 3, new CountingExtractor(), 4, recorder);
        assertEquals(12, total[0], "two augmented copies of each image");
        assertEquals(List.of(4L, 4L, 4L, -1L), steps, "warm already: whole batches");
    }

    @Test
    void aFileChangedAfterTheScanIsAOneLineError() throws IOException {
        Files.write(samples.get(0).file(), Files.readAllBytes(samples.get(3).file()));
        DataException e = assertThrows(DataException.class,
            () -> new FeatureCache(cacheDir, SPEC, null, null).features(samples, 1, new CountingExtractor(), 4, Progress.none()));
        assertEquals(samples.get(0).file() + " changed since the data folder was scanned; run again", e.getMessage());
    }

    private static float[] read(CachedFeatures f, int i, int copy) {
        float[] out = new float[f.sampleSize()];
        f.read(i, copy, out, 0);
        return out;
    }
}
