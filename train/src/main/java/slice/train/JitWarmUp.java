package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import slice.engine.Graph;
import slice.engine.Tensor;
import slice.models.ModelSpec;

/**
 * Runs the feature extractor once, on a blank image with its initial weights, on a thread of its own while
 * {@code train} scans the data and loads the weights, so that the JIT compiles the vector kernels before the first real
 * images need them. A cold run spends its first seconds of extraction there (bench/RESULTS-issue13-changes.md, "`train`
 * cold runs"); the scan, the weights and the inference plan before it leave a core idle part of the time. The kernels
 * take the same code paths for any values (they branch on shapes only), so the code compiled here serves the real
 * extraction; nothing this pass computes is kept. It shares the engine's threads ({@code Parallel} runs a loop inline
 * when its team is busy), and any failure here is dropped: the run builds the same model itself and reports its
 * problems.
 *
 * <p>Only a run whose feature cache folder is absent or empty gets it ({@link #wanted}): with entries there, the
 * features may all be cached, and the pass would be work for nothing.
 */
final class JitWarmUp {
    private JitWarmUp() { }

    /** Whether a warm-up may pay: the feature cache folder {@code cacheDir} does not exist or holds nothing. */
    static boolean wanted(Path cacheDir) {
        if (!Files.isDirectory(cacheDir)) return !Files.exists(cacheDir);
        try (Stream<Path> entries = Files.list(cacheDir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts a daemon thread that builds the extractor of {@code spec} (cut and fine-tuning as the run's) and runs it
     * once on a blank image at batch 1. Join it before extracting, so its compiles are done first.
     */
    static Thread start(ModelSpec spec, String cut, String fineTuneFrom, FaceModel.Head head, long seed) {
        Thread t = new Thread(() -> {
            try {
                pass(spec, cut, fineTuneFrom, head, seed);
            } catch (RuntimeException | OutOfMemoryError e) {
                // dropped: the run builds the same model itself and reports what is wrong with it
            }
        }, "jit warm-up");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The pass itself, on the calling thread: the extractor built, planned at batch 1, run on a blank image. */
    static void pass(ModelSpec spec, String cut, String fineTuneFrom, FaceModel.Head head, long seed) {
        Graph extractor = FaceModel.build(spec, cut, fineTuneFrom, head, 2, seed).extractor;
        extractor.planInference(1);
        int[] shape = extractor.inputShape();
        int length = 1;
        for (int d : shape) length *= d;
        extractor.forward(Tensor.wrap(new float[length], Tensor.withBatch(1, shape)), false);
    }
}
