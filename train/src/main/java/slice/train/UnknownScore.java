package slice.train;

import java.util.LinkedHashMap;
import java.util.Map;
import slice.engine.Tensor;

/**
 * How familiar a face is to the model: high for the people it was trained on, low for strangers. {@code predict}
 * answers {@code unknown} when the score is below the threshold {@link UnknownThreshold} calibrates.
 *
 * <p>With {@code e} the image's embedding (the pooled backbone features the head reads, {@code [D]}) and {@code p}
 * the head's softmax probabilities {@code [K]}:
 * <pre>
 *   u(e)  = (e − μ) / ‖e − μ‖                         centred unit embedding; μ = mean training embedding
 *   c_k   = Σ_{i: y_i = k} u(e_i) / ‖Σ_{i: y_i = k} u(e_i)‖   centroid of person k's training images
 *   score = max_k p_k · max(0, max_k u(e)·c_k)         ∈ [0, 1]
 * </pre>
 * Both factors must be high: the head is sure whom it sees, <em>and</em> the face lies close (in angle) to some
 * known person's training photos. The softmax alone is sure about anything far from every boundary, including many
 * strangers; the cosine alone ignores what the head learnt. Centring matters: pooled ReLU features are all positive,
 * so uncentred cosines of any two faces are close to 1 and say little. How well it separates strangers from known
 * people, against the softmax alone, is measured by {@code slice.bench.research.OpenSetStudy} (results and command in
 * the README's "Unknown faces"; {@code OpenSetTest} asserts the AT&T case).
 *
 * <p>Stored with the model as two tensors, {@link #MEAN} {@code [D]} and {@link #CENTROIDS} {@code [K, D]}.
 */
public record UnknownScore(Tensor mean, Tensor centroids) {
    /** Tensor names in {@code model.safetensors}. */
    public static final String MEAN = "unknown_score/mean", CENTROIDS = "unknown_score/centroids";
    /** The score's name in the model card ({@code training.unknown_score}); a model without it predates this score. */
    public static final String NAME = "softmax x centred cosine to centroids";

    /** Zero tensors of the right shapes for {@code classes} people and {@code dim}-dimensional embeddings, to load into. */
    public static UnknownScore empty(int classes, int dim) {
        return new UnknownScore(new Tensor(dim), new Tensor(classes, dim));
    }

    /** Fitted to training embeddings {@code [N·D]} with labels in {@code 0..classes-1}. */
    public static UnknownScore fit(float[] embeddings, int[] labels, int classes, int dim) {
        UnknownScore s = empty(classes, dim);
        int n = labels.length;
        double[] mean = new double[dim];
        for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) mean[j] += embeddings[i * dim + j];
        for (int j = 0; j < dim; j++) s.mean.data[j] = (float) (mean[j] / Math.max(1, n));
        double[] sums = new double[classes * dim];
        float[] u = new float[dim];
        for (int i = 0; i < n; i++) {
            s.unit(embeddings, i * dim, u);
            for (int j = 0; j < dim; j++) sums[labels[i] * dim + j] += u[j];
        }
        for (int k = 0; k < classes; k++) {
            double norm = 0;
            for (int j = 0; j < dim; j++) norm += sums[k * dim + j] * sums[k * dim + j];
            double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
            for (int j = 0; j < dim; j++) s.centroids.data[k * dim + j] = (float) (sums[k * dim + j] * inv);
        }
        return s;
    }

    public int classes() { return centroids.dim(0); }

    public int dim() { return mean.size(); }

    /** The tensors to save with the model, by name. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put(MEAN, mean);
        t.put(CENTROIDS, centroids);
        return t;
    }

    /** Scores of {@code n} images from their softmax rows {@code probs [n·K]} and embeddings {@code [n·D]}. */
    public float[] scores(float[] probs, float[] embeddings, int n) {
        int k = classes(), d = dim();
        float[] scores = new float[n];
        float[] u = new float[d];
        for (int i = 0; i < n; i++) {
            unit(embeddings, i * d, u);
            double bestCos = 0;
            for (int c = 0; c < k; c++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += (double) u[j] * centroids.data[c * d + j];
                bestCos = Math.max(bestCos, dot);
            }
            scores[i] = (float) (probs[i * k + UnknownThreshold.argmax(probs, i * k, k)] * bestCos);
        }
        return scores;
    }

    /** {@code u = (e − μ) / ‖e − μ‖} of {@code e = embeddings[from .. from+D)}; zero when {@code e = μ}. */
    private void unit(float[] embeddings, int from, float[] u) {
        int d = dim();
        double norm = 0;
        for (int j = 0; j < d; j++) {
            u[j] = embeddings[from + j] - mean.data[j];
            norm += (double) u[j] * u[j];
        }
        float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
        for (int j = 0; j < d; j++) u[j] *= inv;
    }
}
