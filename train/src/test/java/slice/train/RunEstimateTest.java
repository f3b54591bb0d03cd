package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import slice.train.data.Progress;

/** {@link RunEstimate}: the lines' format (not their values, which are this machine's), the Pi factor's arithmetic. */
class RunEstimateTest {
    /** {@code estimate: WHAT: ≈ T here, at least ≈ T on a Pi 4 (×F, …); HOW}. */
    static final Pattern LINE = Pattern.compile("estimate: (features of [\\d,]+ images|training up to \\d+ more epochs?): "
            + "≈ \\d+(\\.\\d)? (s|min|h) here, at least ≈ \\d+(\\.\\d)? (s|min|h) on a Pi 4 \\(×\\d+\\.\\d, README \"On a Raspberry Pi 4\"\\); .+");

    @Test
    void thePiFactorIsTheReadmesRatioScaledByThreadsAndWidth() {
        assertEquals(58.0 / 12 * 2 / 4 * 1.78, RunEstimate.piFactor(2, 16), 1e-12, "2 threads at 512 bits");
        assertEquals(58.0 / 12, RunEstimate.piFactor(4, 4), 1e-12, "4 threads at 128 bits: the per-core ratio");
        assertEquals(58.0 / 12 / 4, RunEstimate.piFactor(1, 1), 1e-12, "scalar kernels: no width correction");
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals(List.of("1 s", "45 s", "1.5 min", "89.0 min", "1.5 h"), List.of(RunEstimate.duration(0.2),
                RunEstimate.duration(45), RunEstimate.duration(90), RunEstimate.duration(89 * 60), RunEstimate.duration(5400)));
    }

    @Test
    void featuresEstimatePrintsOnceAfterTheSampleAndCountsTheLaterParts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RunEstimate estimate = new RunEstimate(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3.0);
        Progress p = estimate.features(Progress.none(), 200, 100);
        p.start(200);
        for (int i = 0; i < 200; i += 32) p.advance(Math.min(32, 200 - i));
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(1, lines.length, String.join("\n", lines));
        assertTrue(LINE.matcher(lines[0]).matches(), lines[0]);
        assertTrue(lines[0].startsWith("estimate: features of 300 images: "), "200 now + 100 later: " + lines[0]);
        assertTrue(lines[0].contains("(×3.0, "), lines[0]);
        assertTrue(lines[0].contains("; 64 images measured in "), "the sample starts after the first batch: " + lines[0]);
    }

    @Test
    void theSampleStartsOnceTheBatchesStopGrowing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new RunEstimate(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3.0).features(Progress.none(), 300, 0);
        p.start(300);
        for (int batch : new int[] {1, 2, 4, 8, 16, 32, 32, 32, 32}) p.advance(batch);
        String line = bytes.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.contains("; 64 images measured in "), "the two batches after the first 32, not 94 after the 1: " + line);
        assertTrue(LINE.matcher(line).matches(), line);
    }

    @Test
    void aPartlyCachedPartCountsTheLaterPartsInProportion() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new RunEstimate(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3.0).features(Progress.none(), 200, 100);
        p.start(50);
        p.advance(50);
        p.finish();
        String line = bytes.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.startsWith("estimate: features of 75 images: "), "a quarter to compute, a quarter of 100 later: " + line);
        assertTrue(LINE.matcher(line).matches(), line);
    }

    @Test
    void trainingEstimateCountsTheEpochsLeft() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RunEstimate estimate = new RunEstimate(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3.0);
        estimate.training(1, 30, 2.0, 5);
        estimate.training(8, 8, 2.0, 5);
        String line = bytes.toString(StandardCharsets.UTF_8).strip();
        assertTrue(LINE.matcher(line).matches(), line);
        assertTrue(line.startsWith("estimate: training up to 29 more epochs: ≈ 58 s here, at least ≈ 2.9 min on a Pi 4"), line);
        assertEquals(1, line.lines().count(), "nothing left after the last epoch: " + line);
    }
}
