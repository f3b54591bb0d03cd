package slice.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strangers on real faces: the head is trained on 30 of the 40 AT&T people (MobileNetV2 α0.35 ImageNet weights,
 * 96 px, default training options), then shown the test photos of those 30 and all 100 photos of the other 10; three
 * random choices of the 10, averaged ({@link OpenSetStudy}). Measured when written (mean of the 3 folds):
 * <pre>
 *   score                      AUROC   strangers rejected / known rejected   strangers rejected when 5 % of known are
 *                                      at the calibrated threshold
 *   max softmax (before)       0.931   64 % / 2.6 %                           76 %
 *   UnknownScore               0.961   60 % / 1.6 %                           86 %
 * </pre>
 * At equal false rejection of known people the score turns away 10 points more strangers; the calibrated threshold
 * (from ~34 validation photos) is the conservative side of 5 %.
 */
class OpenSetTest {
    @TempDir Path tmp;

    @Test
    void theUnknownScoreRejectsMoreStrangersThanTheSoftmaxAtEqualFalseRejection() throws Exception {
        double[][] m = OpenSetStudy.measure(RealData.attFaces(), RealData.mobileNetV2Alpha035(), 0.35f, 96, 10, 3, tmp.resolve("cache"),
                OpenSetStudy.SCORES.subList(0, 2));
        double[] before = m[0], after = m[1];
        String numbers = String.format(Locale.ROOT, "before %s, after %s", java.util.Arrays.toString(before),
                java.util.Arrays.toString(after));
        assertTrue(after[0] > 0.95 && after[0] > before[0] + 0.015, "AUROC: " + numbers);
        assertTrue(after[3] > 0.80 && after[3] > before[3] + 0.05, "strangers rejected at 5 % known rejected: " + numbers);
        assertTrue(after[1] > 0.5 && after[2] < 0.08, "calibrated: strangers rejected, known rejected: " + numbers);
    }
}
