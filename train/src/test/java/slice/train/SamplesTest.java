package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.models.Preprocessing;
import slice.train.data.Augmentation;
import slice.train.data.CachedFeatures;
import slice.train.data.Dataset;
import slice.train.data.FeatureCache;
import slice.train.data.Hashes;
import slice.train.data.Progress;

/** {@link Samples#held}: the cached rows read once into memory are the rows on disk, bit for bit; too large, they stay on disk. */
class SamplesTest {
    private static final int SIZE = 16;
    @TempDir Path tmp;
    private CachedFeatures cached;

    /** Six random 20×24 photos of two people, and a fake backbone's 5 features per image and copy. */
    @BeforeEach
    void cacheFeatures() throws IOException {
        Random random = new Random(3);
        for (String person : List.of("ada", "bob")) {
            Files.createDirectories(tmp.resolve("faces").resolve(person));
            for (int k = 0; k < 3; k++) {
                BufferedImage image = new BufferedImage(20, 24, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 24; y++) for (int x = 0; x < 20; x++) image.setRGB(x, y, random.nextInt(1 << 24));
                ImageIO.write(image, "png", tmp.resolve("faces").resolve(person).resolve(k + ".png").toFile());
            }
        }
        FeatureCache cache = new FeatureCache(tmp.resolve("cache"), new FeatureCache.Spec("fake", Hashes.sha256Hex("w"), "cut", SIZE,
                Preprocessing.SCALE_TO_PLUS_MINUS_ONE), Augmentation.faces(1), null);
        cached = cache.features(Dataset.scan(tmp.resolve("faces")).samples(), 2, (images, count) -> {
            float[] out = new float[count * 5];
            for (int i = 0; i < count; i++) for (int f = 0; f < 5; f++) out[i * 5 + f] = images[i * SIZE * SIZE * 3 + 7 * f + 1];
            return out;
        }, 4, Progress.none());
    }

    private static float[] row(Samples s, int i, int copy) {
        float[] row = new float[s.sampleSize()];
        s.read(i, copy, row, 0);
        return row;
    }

    private void deleteTheCache() throws IOException {
        try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void heldRowsAreTheCachedRowsAndNeedTheDiskNoMore() throws IOException {
        Samples onDisk = Samples.of(cached), held = Samples.held(cached, 6 * 2 * 5 * 4);
        assertEquals(List.of(6, 2, 5), List.of(held.size(), held.copies(), held.sampleSize()));
        float[][][] expected = new float[6][2][];
        for (int i = 0; i < 6; i++) {
            assertEquals(onDisk.label(i), held.label(i));
            for (int c = 0; c < 2; c++) {
                expected[i][c] = row(onDisk, i, c);
                assertArrayEquals(expected[i][c], row(held, i, c), "image " + i + " copy " + c);
            }
        }
        assertEquals(List.of(0, 0, 0, 1, 1, 1), List.of(held.label(0), held.label(1), held.label(2), held.label(3), held.label(4),
                held.label(5)));
        deleteTheCache();
        for (int i = 0; i < 6; i++) for (int c = 0; c < 2; c++) assertArrayEquals(expected[i][c], row(held, i, c));
        assertThrows(IndexOutOfBoundsException.class, () -> row(held, 0, 2));
    }

    @Test
    void rowsLargerThanTheBudgetAreReadFromDisk() throws IOException {
        Samples notHeld = Samples.held(cached, 6 * 2 * 5 * 4 - 1);
        assertArrayEquals(row(Samples.of(cached), 5, 1), row(notHeld, 5, 1));
        deleteTheCache();
        assertThrows(UncheckedIOException.class, () -> row(notHeld, 5, 1));
    }
}
