package slice.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.models.ModelSpec;

class JitWarmUpTest {
    @TempDir Path dir;

    @Test void onlyARunWithoutAnyCachedFeatureGetsTheWarmUp() throws IOException {
        Path cache = dir.resolve("cache");
        assertTrue(JitWarmUp.wanted(cache), "no cache folder yet");
        Files.createDirectories(cache);
        assertTrue(JitWarmUp.wanted(cache), "an empty cache folder");
        Files.createDirectories(cache.resolve("ab"));
        assertFalse(JitWarmUp.wanted(cache), "a cache folder with entries");
        Path file = dir.resolve("not-a-folder");
        Files.writeString(file, "x");
        assertFalse(JitWarmUp.wanted(file), "a file where the cache folder should be");
    }

    @Test void thePassRunsTheExtractorOfTheRunsCutAndFineTuning() {
        ModelSpec spec = ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0);
        assertDoesNotThrow(() -> JitWarmUp.pass(spec, null, null, new FaceModel.Head(0, 0f), 1));
        assertDoesNotThrow(() -> JitWarmUp.pass(spec, "block_13_expand_relu", "block_12_add", new FaceModel.Head(0, 0f), 1));
    }

    @Test void aModelTheRunWillRefuseEndsTheWarmUpWithoutAnEscapingError() throws InterruptedException {
        ModelSpec spec = ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0);
        assertThrows(InvalidSetting.class, () -> JitWarmUp.pass(spec, "no_such_layer", null, new FaceModel.Head(0, 0f), 1));
        List<Throwable> escaped = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> escaped.add(e));
        try {
            Thread t = JitWarmUp.start(spec, "no_such_layer", null, new FaceModel.Head(0, 0f), 1);
            t.join(60_000);
            assertFalse(t.isAlive(), "the warm-up thread ended");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertEquals(List.of(), escaped);
    }
}
