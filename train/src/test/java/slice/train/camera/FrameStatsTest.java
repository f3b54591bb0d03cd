package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameStatsTest {
    private static final long MS = 1_000_000;

    @Test
    void ratesLatenciesAndCountsFromRecordedTimes() {
        FrameStats stats = new FrameStats();
        long base = 7_000 * MS; // nanoTime has an arbitrary origin
        for (int i = 0; i < 10; i++) stats.recordArrival(base + i * 100 * MS); // 10 frames, 100 ms apart
        long[] latencies = {50, 70, 90, 110};
        for (int k = 0; k < 4; k++) {
            long arrival = base + 3 * k * 100 * MS; // frames 0, 3, 6, 9 are processed
            stats.recordResult(arrival, arrival + latencies[k] * MS);
        }
        for (int i = 0; i < 5; i++) stats.recordDrop();
        stats.recordCorrupt();

        assertEquals(10, stats.arrived());
        assertEquals(4, stats.processed());
        assertEquals(5, stats.dropped());
        assertEquals(1, stats.corrupt());
        assertEquals(9 / 0.9, stats.arrivalRate(), 1e-9);                 // 9 intervals over 900 ms
        assertEquals(3 / ((960 - 0) / 1000.0), stats.processingRate(), 1e-9); // results at 50 ... 1010 ms
        assertEquals((50 + 70 + 90 + 110) / 4.0, stats.meanLatencyMillis(), 1e-9);
        assertEquals(110, stats.maxLatencyMillis(), 1e-9);
        assertEquals("frames: 10 arrived (10.0 fps), 4 processed (3.1 fps), 5 dropped, 1 corrupt; latency mean 80 ms, max 110 ms",
                stats.summary());
    }

    @Test
    void whatIsUndefinedIsADashAndSkippedBytesAreMentioned() {
        FrameStats stats = new FrameStats();
        assertEquals("frames: 0 arrived (- fps), 0 processed (- fps), 0 dropped, 0 corrupt; latency mean - ms, max - ms",
                stats.summary());
        stats.recordArrival(5 * MS);
        stats.recordResult(5 * MS, 17 * MS);
        stats.recordSkippedBytes(12);
        stats.recordSkippedBytes(6);
        assertTrue(Double.isNaN(stats.processingRate()), "one result has no rate");
        assertEquals("frames: 1 arrived (- fps), 1 processed (- fps), 0 dropped, 0 corrupt; latency mean 12 ms, max 12 ms; "
                + "18 bytes skipped between frames", stats.summary());
    }
}
