package slice.bench.research;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;

/**
 * Strangers on real faces: the head is trained on 30 of the 40 AT&T people (MobileNetV2 α0.35 ImageNet weights,
 * 96 px, default training options), then shown the test photos of those 30 and all 100 photos of the other 10; three
 * random choices of the 10, averaged ({@link OpenSetStudy}; the measured numbers are in the README's "Unknown faces"
 * table, α0.35 96 px row). The shipped score must beat the softmax alone by AUROC (> 0.95, ahead by 0.015) and by
 * strangers rejected at 5 % of known photos rejected (> 80 %, ahead by 5 points); at the threshold calibrated on
 * validation it must reject more than half of the strangers and under 8 % of the known test photos.
 */
class OpenSetTest {
    @TempDir Path tmp;

    @Test
    void theUnknownScoreRejectsMoreStrangersThanTheSoftmaxAtEqualFalseRejection() throws Exception {
        Path faces = SharedData.require("faces/att_faces");
        Path weights = SharedData.require("models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5");
        double[][] m = OpenSetStudy.measure(faces, weights, 0.35f, 96, 10, 3, tmp.resolve("cache"), OpenSetStudy.SCORES.subList(0, 2));
        double[] before = m[0], after = m[1];
        String numbers = String.format(Locale.ROOT, "before %s, after %s", Arrays.toString(before), Arrays.toString(after));
        assertTrue(after[0] > 0.95 && after[0] > before[0] + 0.015, "AUROC: " + numbers);
        assertTrue(after[3] > 0.80 && after[3] > before[3] + 0.05, "strangers rejected at 5 % known rejected: " + numbers);
        assertTrue(after[1] > 0.5 && after[2] < 0.08, "calibrated: strangers rejected, known rejected: " + numbers);
    }
}
