package slice.train;

import java.util.Arrays;

/**
 * The rule that lets {@code predict} answer {@code unknown} for a face the model never saw: an image whose highest
 * softmax probability is below a threshold is nobody the model knows.
 *
 * <p>Calibration, on the validation set (images the head never trained on): take the highest probability of every
 * validation image the model classifies <em>correctly</em>, and choose the threshold that keeps {@link #KEEP} of
 * them, i.e. their 5th percentile. Why this rule: training data holds no strangers, so the rate of strangers let
 * through cannot be measured; what can be measured and promised is how often a known person is turned away —
 * about 5 % at this threshold. A classifier's confidence on unseen identities is spread out over many classes and
 * mostly falls below it. {@code predict --threshold} overrides the stored value (0 never answers {@code unknown}).
 */
public final class UnknownThreshold {
    /** Fraction of correctly classified validation images that stay above the threshold. */
    public static final double KEEP = 0.95;

    private UnknownThreshold() { }

    /**
     * The threshold for validation probabilities {@code probs [N·K]} (rows of softmax outputs) and labels; 0 when no
     * validation image is classified correctly (then nothing can be calibrated and nothing is called unknown).
     */
    public static float calibrate(float[] probs, int classes, int[] labels) {
        float[] correctMax = new float[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = argmax(probs, i * classes, classes);
            if (best == labels[i]) correctMax[n++] = probs[i * classes + best];
        }
        if (n == 0) return 0f;
        float[] sorted = Arrays.copyOf(correctMax, n);
        Arrays.sort(sorted);
        // At least KEEP·n of the values are >= sorted[drop]: the lowest (1 − KEEP)·n are dropped.
        int drop = (int) Math.floor((1 - KEEP) * n);
        return sorted[drop];
    }

    /** Index of the largest of {@code v[from .. from+n)} (the first one on ties). */
    public static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (v[from + j] > v[from + best]) best = j;
        return best;
    }
}
