package slice.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's only source of threads: {@code forRange(n, body)} splits {@code [0, n)} into contiguous chunks and
 * runs them on a fixed team of worker threads and the caller, each thread taking the next chunk not yet taken until
 * none is left. A worker slow to start (waking from a park, or waiting for a core that another process holds) thus
 * does not hold up the loop: the caller, done with its chunk, takes the worker's chunk too. The chunks are the same
 * whichever thread runs them.
 *
 * <p>Kernels split work only over <em>disjoint outputs</em> and keep the summation order of each output element
 * fixed, so results are bit-identical whatever the thread count. The thread count is
 * {@code -Dslice.threads=N} (default: all available processors) or {@link #setThreads}.
 *
 * <h2>Why a team of spinning workers, not a ForkJoinPool</h2>
 * A MobileNetV2 forward pass at batch 1 is about 150 parallel loops, many of them short. Waking a parked thread costs
 * about as much as a short loop (a small depthwise layer ran slower on two threads through a ForkJoinPool than on
 * one), so workers that park between loops eat the gain of the second core. As OpenMP runtimes do, a worker here keeps
 * polling for {@value #SPIN_NANOS} ns after each loop, where the next loop of the same pass finds it awake, and only
 * then parks, so an idle process burns no CPU. The caller likewise polls, then parks, while it waits for the last
 * chunk. Polling calls {@link Thread#yield}, so on a machine busy with other processes a polling thread hands its
 * core to a runnable one (such as the worker it waits for) instead of spinning against it.
 *
 * <p>One loop runs on the team at a time. A {@code forRange} called while the team is busy — from inside a loop's
 * body (nested parallelism) or from another thread — runs inline on its calling thread; results are the same.
 */
public final class Parallel {
    /** Body of a parallel loop: processes indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker, or a caller waiting for its workers, spins before it parks. */
    static final long SPIN_NANOS = 100_000;

    private static volatile int threads = Math.max(1, Integer.getInteger("slice.threads", Runtime.getRuntime().availableProcessors()));
    private static volatile Team team = new Team(threads - 1);

    private Parallel() { }

    public static int threads() { return threads; }

    /**
     * The threads a {@link #forRange} called now from this thread would share its chunks among: one inside another
     * loop's body (the loop then runs inline) or with one thread, else {@link #threads}. Advisory — another thread
     * may take the team first — so a kernel may size its chunks by it, never its results.
     */
    public static int available() {
        return team.busy.get() ? 1 : threads;
    }

    /** Sets the number of threads used by every kernel from now on. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        Team old = team;
        team = new Team(n - 1);
        threads = n;
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code threads()} contiguous chunks of at least
     * {@code minChunk} indices, chunk {@code c} of {@code C} being {@code [n·c/C, n·(c+1)/C)}. Runs inline when there
     * is one chunk or the team is busy. An exception thrown by any chunk is rethrown here once all chunks ended.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        Team t = team;
        if (chunks == 1 || chunks > t.workers.length + 1 || !t.busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            t.run(new Job(body, n, chunks));
        } finally {
            t.busy.set(false);
        }
    }

    /** {@link #forRange(int, int, RangeBody)} with chunks of at least one index. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /**
     * {@link #forRange(int, int, RangeBody)} with each thread's share walked from its end back to its start in steps
     * of {@code step} indices (each step itself forwards): after a pass that walked the same data forwards, the
     * indices it touched last, still in the last-level cache when the data are larger than it, are read first.
     */
    public static void forRangeBackwards(int n, int step, RangeBody body) {
        forRange(n, step, (from, to) -> {
            for (int end = to; end > from; end -= step) body.run(Math.max(from, end - step), end);
        });
    }

    /**
     * One parallel loop, its chunks taken in turn ({@code taken}) and counted when finished ({@code finished}); a
     * worker reads it through one volatile reference. A worker that reads it late finds every chunk taken.
     */
    private record Job(RangeBody body, int n, int chunks, AtomicInteger taken, AtomicInteger finished) {
        Job(RangeBody body, int n, int chunks) {
            this(body, n, chunks, new AtomicInteger(), new AtomicInteger());
        }

        /** Runs chunks not yet taken, chunk {@code c} being {@code [n·c/chunks, n·(c+1)/chunks)}, until none is left. */
        void runChunks(Team team) {
            for (int c; (c = taken.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable e) {
                    team.failure.compareAndSet(null, e);
                }
                if (finished.incrementAndGet() == chunks) {
                    Thread caller = team.waitingCaller;
                    if (caller != null) LockSupport.unpark(caller);
                }
            }
        }
    }

    /** The caller and {@code workers.length} threads, which take the chunks of each job in turn. */
    private static final class Team {
        final AtomicBoolean busy = new AtomicBoolean();
        final Worker[] workers;
        /** The current job; a new one is published only after every chunk of the previous one ended. */
        volatile Job job;
        volatile boolean stopped;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The caller, while it is parked waiting for the last chunks of its job to finish. */
        volatile Thread waitingCaller;

        Team(int size) {
            workers = new Worker[size];
            for (int w = 0; w < size; w++) {
                workers[w] = new Worker(this, w);
                workers[w].setDaemon(true);
                workers[w].start();
            }
        }

        void run(Job j) {
            failure.set(null);
            job = j;
            for (int w = 0; w < j.chunks - 1; w++) {
                if (workers[w].parked) LockSupport.unpark(workers[w]);
            }
            j.runChunks(this);
            awaitChunks(j);
            Throwable e = failure.getAndSet(null);
            if (e instanceof RuntimeException r) throw r;
            if (e instanceof Error err) throw err;
            if (e != null) throw new IllegalStateException(e);
        }

        /** Polls, then parks, until every chunk of {@code j} (all taken by now) has finished. */
        private void awaitChunks(Job j) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (j.finished.get() != j.chunks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.yield();
                } else {
                    waitingCaller = Thread.currentThread();
                    if (j.finished.get() != j.chunks) LockSupport.park(this);
                    waitingCaller = null;
                }
            }
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private final Team team;
        /** Set while this worker is (about to be) parked; the caller then unparks it. */
        volatile boolean parked;

        Worker(Team team, int index) {
            super("slice-" + (index + 1));
            this.team = team;
        }

        @Override public void run() {
            Job last = null;
            while (true) {
                Job j = awaitNewJob(last);
                if (j == null) return;
                last = j;
                j.runChunks(team);
            }
        }

        /** Spins, then parks, until a job other than {@code last} is published; null once the team is shut down. */
        private Job awaitNewJob(Job last) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job j;
            while ((j = team.job) == last) {
                if (team.stopped) return null;
                if (System.nanoTime() < spinUntil) {
                    Thread.yield();
                } else {
                    // Publish "parked" before re-reading the job: either the caller sees the flag and unparks us,
                    // or we see its new job (both fields are volatile).
                    parked = true;
                    if (team.job == last && !team.stopped) LockSupport.park(this);
                    parked = false;
                }
            }
            return j;
        }
    }
}
