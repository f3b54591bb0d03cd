package slice.train.camera;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import slice.train.data.DataException;

/**
 * Runs a camera: a reader thread takes items from a {@link FrameSource} and hands frames over through a
 * {@link LatestFrameQueue}; the thread that calls {@link #run()} processes them. When processing is slower than the
 * camera, older frames are dropped, so the results stay current and at most {@code queueCapacity} frames wait.
 *
 * <p>Output, through two consumers that are called from both threads (so they must be thread-safe, as
 * {@code System.out::println} is):
 * <ul>
 *   <li>{@code lines}: each line the processor returns for a frame, followed by a tab and the frame's latency
 *       ({@code \t42 ms}: from the frame's arrival to its result);</li>
 *   <li>{@code messages}: {@code warning: frame 7: <reason>; skipped} for each frame the source lost or the processor
 *       rejected (an {@link IOException} or {@link DataException}), {@code warning: skipped N bytes ...} for bytes
 *       between frames, {@code warning: reading frames failed (...); stopping} if the source fails, and
 *       {@link FrameStats#summary()} once at the end.</li>
 * </ul>
 * The summary is printed exactly once, whether the source ends, {@link #stop()} is called, or the JVM is shutting
 * down (Ctrl-C) and {@link #shutdownHook()} runs. A loop runs once.
 */
public final class CameraLoop {
    /** How long the shutdown hook waits for the frame being processed to finish before it prints the summary. */
    private static final long STOP_WAIT_SECONDS = 2;

    private final FrameSource source;
    private final FrameProcessor processor;
    private final Consumer<String> lines;
    private final Consumer<String> messages;
    private final LatestFrameQueue<Frame> queue;
    private final FrameStats stats = new FrameStats();
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private boolean summarised;
    private volatile boolean stopped;
    private volatile Thread reader;
    private volatile RuntimeException readerFailure;

    /** A loop over {@code source}; {@code queueCapacity} 1 hands the processor always the newest frame. */
    public CameraLoop(FrameSource source, FrameProcessor processor, int queueCapacity, Consumer<String> lines, Consumer<String> messages) {
        this.source = source;
        this.processor = processor;
        this.queue = new LatestFrameQueue<>(queueCapacity);
        this.lines = lines;
        this.messages = messages;
    }

    /**
     * Processes frames until the source ends or {@link #stop()} is called, then closes the source, prints the summary
     * and returns the statistics. An exception from the processor other than a rejected frame (a bug) ends the loop
     * and is thrown, as is an unexpected runtime exception from the source.
     */
    public FrameStats run() throws InterruptedException {
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("a CameraLoop runs once");
        Thread thread = new Thread(this::read, "camera-reader");
        thread.setDaemon(true); // a reader blocked on stdin must not keep the JVM alive
        reader = thread;
        thread.start();
        try {
            for (Frame frame; (frame = queue.take()) != null; ) process(frame);
            RuntimeException failure = readerFailure;
            if (failure != null) throw failure;
        } finally {
            stop();
            finished.countDown();
            summariseOnce();
        }
        return stats;
    }

    /**
     * Ends the loop from any thread: frames waiting are dropped, the source is closed, the frame being processed
     * finishes and {@link #run()} returns.
     */
    public void stop() {
        stopped = true;
        for (Frame ignored : queue.discardAndClose()) stats.recordDrop();
        try {
            source.close();
        } catch (IOException e) {
            // The source is being abandoned: failing to close it changes nothing for this run.
        }
        Thread thread = reader;
        if (thread != null) thread.interrupt();
    }

    /** The statistics so far; they keep changing while the loop runs. */
    public FrameStats stats() {
        return stats;
    }

    /**
     * A thread for {@link Runtime#addShutdownHook}: on Ctrl-C it stops the loop, waits briefly for the frame in
     * progress, and prints the summary unless {@link #run()} already did.
     */
    public Thread shutdownHook() {
        return new Thread(() -> {
            stop();
            try {
                if (started.get()) finished.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            summariseOnce();
        }, "camera-summary");
    }

    private void read() {
        try {
            for (FrameSource.Item item; !stopped && (item = source.next()) != null; ) accept(item);
        } catch (IOException e) {
            if (!stopped) messages.accept("warning: reading frames failed (" + reason(e) + "); stopping");
        } catch (InterruptedException e) {
            // stop() interrupts the reader: there is nothing left to do.
        } catch (RuntimeException e) {
            if (!stopped) readerFailure = e;
        } finally {
            queue.close();
        }
    }

    private void accept(FrameSource.Item item) {
        if (item instanceof Frame frame) {
            stats.recordArrival(frame.arrivalNanos());
            if (queue.put(frame) != null) stats.recordDrop();
        } else if (item instanceof FrameSource.Lost lost) {
            stats.recordCorrupt();
            messages.accept("warning: " + lost.name() + ": " + lost.reason() + "; skipped");
        } else if (item instanceof FrameSource.Skipped skipped) {
            stats.recordSkippedBytes(skipped.bytes());
            messages.accept("warning: skipped " + skipped.bytes() + " bytes that belong to no JPEG frame");
        }
    }

    private void process(Frame frame) {
        List<String> result;
        try {
            result = processor.process(frame);
        } catch (IOException | DataException e) {
            stats.recordCorrupt();
            messages.accept("warning: " + frame.name() + ": " + reason(e) + "; skipped");
            return;
        }
        long done = System.nanoTime();
        stats.recordResult(frame.arrivalNanos(), done);
        String latency = String.format(Locale.ROOT, "\t%d ms", Math.round((done - frame.arrivalNanos()) / 1e6));
        for (String line : result) lines.accept(line + latency);
    }

    /**
     * Synchronized, not just flagged: the shutdown hook must not return (letting the JVM halt) while the other thread
     * is still printing the summary.
     */
    private synchronized void summariseOnce() {
        if (summarised) return;
        summarised = true;
        messages.accept(stats.summary());
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
