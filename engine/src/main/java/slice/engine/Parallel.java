package slice.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The engine's only source of threads: {@code forRange(n, body)} splits {@code [0, n)} into contiguous chunks and
 * runs them on a fixed pool (the caller runs one chunk itself).
 *
 * <p>Kernels split work only over <em>disjoint outputs</em> and keep the summation order of each output element
 * fixed, so results are bit-identical whatever the thread count. The thread count is
 * {@code -Dslice.threads=N} (default: all available processors) or {@link #setThreads}.
 */
public final class Parallel {
    /** Body of a parallel loop: processes indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile int threads = Math.max(1, Integer.getInteger("slice.threads", Runtime.getRuntime().availableProcessors()));
    private static volatile ForkJoinPool pool = newPool(threads);

    private Parallel() { }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("slice-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    public static int threads() { return threads; }

    /** Sets the number of threads used by every kernel from now on. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        threads = n;
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code threads()} contiguous chunks of at least
     * {@code minChunk} indices. Runs inline when there is one chunk or when called from a pool thread
     * (no nested parallelism).
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || Thread.currentThread() instanceof ForkJoinWorkerThread) {
            body.run(0, n);
            return;
        }
        ForkJoinPool p = pool;
        @SuppressWarnings("unchecked")
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = p.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    /** {@link #forRange(int, int, RangeBody)} with chunks of at least one index. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }
}
