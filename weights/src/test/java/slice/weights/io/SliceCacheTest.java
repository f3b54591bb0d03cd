package slice.weights.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SliceCacheTest {
    @TempDir Path cache;

    @Test
    void theRootComesFromThePropertyFirstAndHoldsKerasWeightsAndFeatures() {
        String old = System.getProperty("slice.cache");
        try {
            System.setProperty("slice.cache", cache.toString());
            SliceCache standard = SliceCache.standard();
            assertEquals(cache, standard.root());
            assertEquals(cache.resolve("keras"), standard.kerasWeights());
            assertEquals(cache.resolve("features"), standard.features());
        } finally {
            if (old == null) System.clearProperty("slice.cache");
            else System.setProperty("slice.cache", old);
        }
    }
}
