package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import slice.engine.Param;
import slice.models.ModelSpec;

/**
 * {@link Features} computes each image's features independently of the batch it comes in: the feature cache's warm-up
 * batches (1, 2, 4, … images) give the features one whole batch gives — bit for bit for MobileNetV2; for InceptionV3,
 * whose large convolutions sum in an order that depends on how many rows the batch has, within 1e-6 of the largest
 * feature (the same batch twice is still bit for bit).
 */
class FeaturesTest {
    @ParameterizedTest
    @CsvSource({"mobilenetv2, 0.35, 64, , , 0", "mobilenetv2, 0.35, 64, , block_13_expand_relu, 0", "inceptionv3, 1.0, 75, mixed2, , 1e-6"})
    void anImageHasTheSameFeaturesInAnyBatch(String model, float alpha, int size, String cut, String fineTuneFrom, double tolerance) {
        FaceModel m = FaceModel.build(ModelSpec.of(model, alpha, size, false, 0), cut, fineTuneFrom, new FaceModel.Head(0, 0f), 3, 1);
        Random random = new Random(11);
        for (Param p : m.extractor.weights()) {      // random weights; moving variances positive
            float low = p.name.endsWith("moving_variance") ? 0.5f : -0.3f;
            for (int i = 0; i < p.value.size(); i++) p.value.data[i] = low + 0.6f * random.nextFloat();
        }
        Features features = new Features(m.extractor);
        int images = 7, imageLength = size * size * 3;
        float[] batch = new float[images * imageLength];
        for (int i = 0; i < batch.length; i++) batch[i] = 2 * random.nextFloat() - 1;

        float[] together = features.extract(batch, images);
        int n = together.length / images;
        float[] oneByOne = new float[together.length];
        for (int i = 0; i < images; i++) {
            float[] one = features.extract(Arrays.copyOfRange(batch, i * imageLength, (i + 1) * imageLength), 1);
            assertEquals(n, one.length);
            System.arraycopy(one, 0, oneByOne, i * n, n);
        }
        float[] rampedUp = new float[together.length];   // 1, 2, 4 images: the feature cache's warm-up batches
        for (int from = 0, count = 1; from < images; from += count, count *= 2) {
            float[] part = features.extract(Arrays.copyOfRange(batch, from * imageLength, (from + count) * imageLength), count);
            System.arraycopy(part, 0, rampedUp, from * n, count * n);
        }
        assertArrayEquals(together, features.extract(batch, images), "deterministic");
        float largest = 0;
        for (float v : together) largest = Math.max(largest, Math.abs(v));
        assertTrue(largest > 0 && Float.isFinite(largest), "real activations: " + largest);
        if (tolerance == 0) {
            assertArrayEquals(together, oneByOne, model + " cut " + m.cacheKey());
            assertArrayEquals(together, rampedUp, model + " cut " + m.cacheKey());
        } else {
            assertArrayEquals(together, oneByOne, (float) (tolerance * largest), model + " cut " + m.cacheKey());
            assertArrayEquals(together, rampedUp, (float) (tolerance * largest), model + " cut " + m.cacheKey());
        }
    }
}
