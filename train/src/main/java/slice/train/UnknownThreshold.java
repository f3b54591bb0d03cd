package slice.train;

import java.util.Arrays;

/**
 * The rule that lets {@code predict} answer {@code unknown} for a face the model never saw: an image whose
 * {@link UnknownScore} is below a threshold is nobody the model knows.
 *
 * <p>Calibration, on the validation set (images the head never trained on): take the score of every validation image
 * the model classifies <em>correctly</em>, and choose the threshold that keeps {@link #KEEP} of them, i.e. their 5th
 * percentile {@code t = s_(⌊0.05·n⌋)} of the sorted scores {@code s_(0) ≤ … ≤ s_(n−1)}. Why this rule: training data
 * holds no strangers, so the rate of strangers let through cannot be measured; what can be measured and promised is
 * how often a known person is turned away — about 5 % at this threshold (plus the misclassified known faces, whose
 * scores are mostly low too, which is the right answer for them). {@code predict --threshold} overrides the stored
 * value (0 never answers {@code unknown}).
 */
public final class UnknownThreshold {
    /** Fraction of correctly classified validation images that stay above the threshold. */
    public static final double KEEP = 0.95;

    private UnknownThreshold() { }

    /**
     * The threshold for validation {@code scores [N]}, softmax rows {@code probs [N·K]} (which decide what is
     * correct) and labels; 0 when no validation image is classified correctly (then nothing can be calibrated and
     * nothing is called unknown).
     */
    public static float calibrate(float[] scores, float[] probs, int classes, int[] labels) {
        float[] correct = new float[labels.length];
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
            if (argmax(probs, i * classes, classes) == labels[i]) correct[n++] = scores[i];
        }
        if (n == 0) return 0f;
        float[] sorted = Arrays.copyOf(correct, n);
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
