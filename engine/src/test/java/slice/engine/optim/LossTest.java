package slice.engine.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import slice.engine.Tensor;

class LossTest {
    @Test
    void matchesTheDefinitionOnAHandExample() {
        // logits (1, 2, 3), label 2: L = log(e^1 + e^2 + e^3) − 3 = 0.40760596
        Tensor z = Tensor.wrap(new float[] {1, 2, 3}, 1, 3);
        Tensor dz = new Tensor(1, 3);
        assertEquals(0.40760596f, Loss.softmaxCrossEntropy(z, new int[] {2}, 0f, dz), 1e-6f);
        assertEquals(0.09003057f, dz.data[0], 1e-6f);
        assertEquals(0.24472847f, dz.data[1], 1e-6f);
        assertEquals(0.66524096f - 1, dz.data[2], 1e-6f);
        // with smoothing 0.3 the target is (0.1, 0.1, 0.8): L = lse − (0.1·1 + 0.1·2 + 0.8·3)
        assertEquals(3.40760596f - 2.7f, Loss.softmaxCrossEntropy(z, new int[] {2}, 0.3f, dz), 1e-6f);
    }

    @Test
    void isStableForHugeLogits() {
        Tensor z = Tensor.wrap(new float[] {1000, -1000, 0, 5000}, 2, 2);
        Tensor dz = new Tensor(2, 2);
        float l = Loss.softmaxCrossEntropy(z, new int[] {1, 0}, 0f, dz);
        assertEquals((2000 + 5000) / 2f, l, 1e-3f);
        assertEquals(0.5f, dz.data[0], 1e-6f);
        assertEquals(-0.5f, dz.data[1], 1e-6f);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Random rnd = new Random(3);
        int n = 4, k = 7;
        Tensor z = new Tensor(n, k);
        for (int i = 0; i < z.size(); i++) z.data[i] = rnd.nextFloat() * 6 - 3;
        int[] y = {0, 6, 3, 3};
        Tensor dz = new Tensor(n, k);
        Loss.softmaxCrossEntropy(z, y, 0.1f, dz);
        double h = 1e-2;
        for (int i = 0; i < z.size(); i++) {
            float saved = z.data[i];
            z.data[i] = (float) (saved + h);
            double plus = Loss.softmaxCrossEntropy(z, y, 0.1f, null);
            z.data[i] = (float) (saved - h);
            double minus = Loss.softmaxCrossEntropy(z, y, 0.1f, null);
            z.data[i] = saved;
            assertEquals((plus - minus) / (2 * h), dz.data[i], 2e-4, "coordinate " + i);
        }
    }

    @Test
    void softmaxRowsSumToOneAndRejectsBadLabels() {
        Tensor z = Tensor.wrap(new float[] {0, Float.MIN_VALUE, 3, 88, 89, -5}, 2, 3);
        Tensor p = new Tensor(2, 3);
        Loss.softmax(z, p);
        assertEquals(1f, p.data[0] + p.data[1] + p.data[2], 1e-6f);
        assertEquals(1f, p.data[3] + p.data[4] + p.data[5], 1e-6f);
        assertEquals(Math.exp(3) / (2 + Math.exp(3)), p.data[2], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Loss.softmaxCrossEntropy(z, new int[] {0, 3}, 0, null));
    }
}
