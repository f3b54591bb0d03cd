package slice.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's answers on a labelled set: per-image prediction and probability, the {@link Metrics} of the argmax
 * predictions, and how many images the unknown-face threshold would turn away (their {@link UnknownScore} below it).
 */
public record Evaluation(Metrics metrics, List<Prediction> predictions, float threshold) {
    /** One image: its file, true and predicted class, the predicted class's softmax probability, its unknown score. */
    public record Prediction(String file, int truth, int predicted, float probability, float score) { }

    /** From softmax rows {@code probs [N·K]} and unknown {@code scores [N]} for {@code files[i]} of true class {@code truth[i]}. */
    public static Evaluation of(List<String> classes, List<String> files, int[] truth, float[] probs, float[] scores, float threshold) {
        int k = classes.size();
        int[] predicted = new int[truth.length];
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < truth.length; i++) {
            predicted[i] = UnknownThreshold.argmax(probs, i * k, k);
            predictions.add(new Prediction(files.get(i), truth[i], predicted[i], probs[i * k + predicted[i]], scores[i]));
        }
        return new Evaluation(Metrics.of(classes, truth, predicted), List.copyOf(predictions), threshold);
    }

    public List<Prediction> misclassified() {
        return predictions.stream().filter(p -> p.truth() != p.predicted()).toList();
    }

    /** Fraction of images whose unknown score is below the threshold (answered {@code unknown} by predict). */
    public double unknownRate() {
        return predictions.isEmpty() ? 0 : (double) predictions.stream().filter(p -> p.score() < threshold).count() / predictions.size();
    }

    /** The machine-readable form used in {@code metrics.json}, with keys prefixed by {@code prefix} (e.g. {@code test_}). */
    public Map<String, Object> toJson(String prefix) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put(prefix + "accuracy", metrics.accuracy());
        j.put(prefix + "accuracy_ci95", List.of(metrics.ciLow(), metrics.ciHigh()));
        j.put(prefix + "correct", metrics.correct());
        j.put(prefix + "total", metrics.total());
        j.put(prefix + "macro_f1", metrics.macroF1());
        j.put(prefix + "unknown_rate", unknownRate());
        List<Object> perClass = new ArrayList<>();
        for (Metrics.ClassScores s : metrics.perClass()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("class", s.name());
            c.put("precision", s.precision());
            c.put("recall", s.recall());
            c.put("f1", s.f1());
            c.put("support", s.support());
            perClass.add(c);
        }
        j.put(prefix + "per_class", perClass);
        Map<String, Object> confusion = new LinkedHashMap<>();
        confusion.put("classes", metrics.classes());
        List<Object> rows = new ArrayList<>();
        for (int[] row : metrics.confusion()) rows.add(row);
        confusion.put("rows_true_columns_predicted", rows);
        j.put(prefix + "confusion_matrix", confusion);
        List<Object> wrong = new ArrayList<>();
        for (Prediction p : misclassified()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("file", p.file());
            w.put("true", metrics.classes().get(p.truth()));
            w.put("predicted", metrics.classes().get(p.predicted()));
            w.put("probability", p.probability());
            wrong.add(w);
        }
        j.put(prefix + "misclassified", wrong);
        return j;
    }
}
