package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnknownThresholdTest {
    /** Two classes; row i has top probability p[i] on class labels[i] (correct) unless marked wrong. */
    private static float[] rows(float[] top, boolean[] correct, int[] labels) {
        float[] probs = new float[top.length * 2];
        for (int i = 0; i < top.length; i++) {
            int predicted = correct[i] ? labels[i] : 1 - labels[i];
            probs[2 * i + predicted] = top[i];
            probs[2 * i + 1 - predicted] = 1 - top[i];
        }
        return probs;
    }

    @Test
    void keepsNinetyFivePercentOfCorrectValidationPredictions() {
        int n = 40;
        float[] top = new float[n];
        boolean[] correct = new boolean[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            top[i] = 0.55f + 0.01f * i;
            correct[i] = true;
            labels[i] = i % 2;
        }
        // 40 correct: floor(0.05·40) = 2 lowest dropped, threshold = third lowest = 0.57; 38/40 = 95 % stay.
        assertEquals(0.57f, UnknownThreshold.calibrate(top, rows(top, correct, labels), 2, labels), 1e-6f);
    }

    @Test
    void wrongPredictionsDoNotLowerTheThreshold() {
        float[] top = {0.99f, 0.98f, 0.51f, 0.97f};
        boolean[] correct = {true, true, false, true};
        int[] labels = {0, 1, 0, 1};
        // correct ones: 0.97, 0.98, 0.99; floor(0.05·3) = 0 dropped.
        assertEquals(0.97f, UnknownThreshold.calibrate(top, rows(top, correct, labels), 2, labels), 1e-6f);
    }

    @Test
    void nothingCorrectMeansNoThreshold() {
        int[] labels = {0, 1};
        float[] probs = rows(new float[] {0.9f, 0.8f}, new boolean[] {false, false}, labels);
        assertEquals(0f, UnknownThreshold.calibrate(new float[] {0.9f, 0.8f}, probs, 2, labels));
    }
}
