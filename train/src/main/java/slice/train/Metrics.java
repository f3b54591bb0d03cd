package slice.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/**
 * Classification metrics of one labelled set: accuracy with its 95 % confidence interval, the confusion matrix and
 * per-class precision, recall and F1.
 *
 * <p>With {@code C[t][p]} the number of images of true class {@code t} predicted as {@code p}:
 * <pre>
 *   accuracy     = Σ_k C[k][k] / N
 *   precision_k  = C[k][k] / Σ_t C[t][k]      (of the images called k, how many are k; 0 when none is called k)
 *   recall_k     = C[k][k] / Σ_p C[k][p]      (of the images of k, how many are found)
 *   F1_k         = 2 · precision_k · recall_k / (precision_k + recall_k)
 * </pre>
 * The interval is Wilson's score interval for a binomial proportion: it stays inside [0, 1] and keeps close to its
 * nominal coverage for small sets and accuracies near 100 %, where the normal approximation collapses to a point
 * (Brown, Cai &amp; DasGupta 2001). On 150 test faces, 147 correct gives 98.0 % [94.3 %, 99.3 %].
 */
public record Metrics(List<String> classes, int[][] confusion, int correct, int total, double ciLow, double ciHigh) {
    public static final double CONFIDENCE = 0.95;

    /** Metrics of predictions {@code predicted[i]} against {@code truth[i]}, class indices into {@code classes}. */
    public static Metrics of(List<String> classes, int[] truth, int[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " labels, " + predicted.length + " predictions");
        }
        int k = classes.size();
        int[][] confusion = new int[k][k];
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            confusion[truth[i]][predicted[i]]++;
            if (truth[i] == predicted[i]) correct++;
        }
        double low = 0, high = 1;
        if (truth.length > 0) {
            ConfidenceInterval ci = new WilsonScoreInterval().createInterval(truth.length, correct, CONFIDENCE);
            low = ci.getLowerBound();
            high = ci.getUpperBound();
        }
        return new Metrics(List.copyOf(classes), confusion, correct, truth.length, low, high);
    }

    public double accuracy() { return total == 0 ? 0 : (double) correct / total; }

    /** Precision, recall, F1 and support (images of the class) of one class. */
    public record ClassScores(String name, double precision, double recall, double f1, int support) { }

    public List<ClassScores> perClass() {
        List<ClassScores> scores = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            int tp = confusion[c][c], predictedAsC = 0, actualC = 0;
            for (int j = 0; j < classes.size(); j++) {
                predictedAsC += confusion[j][c];
                actualC += confusion[c][j];
            }
            double precision = predictedAsC == 0 ? 0 : (double) tp / predictedAsC;
            double recall = actualC == 0 ? 0 : (double) tp / actualC;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.add(new ClassScores(classes.get(c), precision, recall, f1, actualC));
        }
        return scores;
    }

    /** Unweighted mean of the per-class F1 scores (every person counts the same). */
    public double macroF1() {
        return perClass().stream().mapToDouble(ClassScores::f1).average().orElse(0);
    }

    /** E.g. {@code 98.0 % [94.3 %, 99.3 %] (147/150)}. */
    public String accuracyLine() {
        return String.format(java.util.Locale.ROOT, "%.1f %% [%.1f %%, %.1f %%] (%d/%d)",
                100 * accuracy(), 100 * ciLow, 100 * ciHigh, correct, total);
    }
}
