package slice.train.camera;

import java.util.Locale;

/**
 * Counts and times of a camera run, recorded by the reader and processor threads and read at any time (thread-safe),
 * for example by a shutdown hook on Ctrl-C. Times are {@link System#nanoTime()} values.
 *
 * <ul>
 *   <li>arrived: complete frames the source delivered; each is then processed, dropped or corrupt (or in flight);</li>
 *   <li>processed: frames the processor finished; their latency is result time − arrival time;</li>
 *   <li>dropped: frames replaced by newer ones while the processor was busy, or left unprocessed at a stop;</li>
 *   <li>corrupt: frames the source could not deliver whole (truncated, oversized) plus frames the processor rejected;</li>
 *   <li>skipped bytes: bytes between frames that belong to none.</li>
 * </ul>
 * A rate over n events at times t₁ ≤ … ≤ tₙ is (n − 1) / (tₙ − t₁): the camera's rate from arrival times, the
 * processing rate from result times; it is undefined (NaN) for fewer than two events or no time between them.
 */
public final class FrameStats {
    private long arrived, processed, dropped, corrupt, skippedBytes;
    private long firstArrival, lastArrival, firstResult, lastResult;
    private long latencySum, latencyMax;

    public synchronized void recordArrival(long nanos) {
        if (arrived++ == 0) firstArrival = nanos;
        lastArrival = nanos;
    }

    /** A frame that arrived at {@code arrivalNanos} was processed, its result ready at {@code resultNanos}. */
    public synchronized void recordResult(long arrivalNanos, long resultNanos) {
        if (processed++ == 0) firstResult = resultNanos;
        lastResult = resultNanos;
        long latency = resultNanos - arrivalNanos;
        latencySum += latency;
        latencyMax = Math.max(latencyMax, latency);
    }

    public synchronized void recordDrop() {
        dropped++;
    }

    public synchronized void recordCorrupt() {
        corrupt++;
    }

    public synchronized void recordSkippedBytes(long bytes) {
        skippedBytes += bytes;
    }

    public synchronized long arrived() {
        return arrived;
    }

    public synchronized long processed() {
        return processed;
    }

    public synchronized long dropped() {
        return dropped;
    }

    public synchronized long corrupt() {
        return corrupt;
    }

    public synchronized long skippedBytes() {
        return skippedBytes;
    }

    /** Frames per second delivered by the source. */
    public synchronized double arrivalRate() {
        return rate(arrived, firstArrival, lastArrival);
    }

    /** Frames per second processed. */
    public synchronized double processingRate() {
        return rate(processed, firstResult, lastResult);
    }

    /** Mean latency of the processed frames in milliseconds; NaN before the first. */
    public synchronized double meanLatencyMillis() {
        return processed == 0 ? Double.NaN : latencySum / 1e6 / processed;
    }

    /** Largest latency of the processed frames in milliseconds; NaN before the first. */
    public synchronized double maxLatencyMillis() {
        return processed == 0 ? Double.NaN : latencyMax / 1e6;
    }

    /**
     * One line, e.g. {@code frames: 300 arrived (30.0 fps), 42 processed (4.2 fps), 257 dropped, 1 corrupt; latency
     * mean 180 ms, max 240 ms}, then {@code ; 18 bytes skipped between frames} if any were; {@code -} for what is
     * undefined.
     */
    public synchronized String summary() {
        String line = String.format(Locale.ROOT, "frames: %d arrived (%s fps), %d processed (%s fps), %d dropped, %d corrupt; "
                + "latency mean %s ms, max %s ms", arrived, oneDecimal(arrivalRate()), processed, oneDecimal(processingRate()),
                dropped, corrupt, whole(meanLatencyMillis()), whole(maxLatencyMillis()));
        return skippedBytes == 0 ? line : line + "; " + skippedBytes + " bytes skipped between frames";
    }

    private static double rate(long events, long first, long last) {
        return events < 2 || last == first ? Double.NaN : (events - 1) * 1e9 / (last - first);
    }

    private static String oneDecimal(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.1f", x);
    }

    private static String whole(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.0f", x);
    }
}
