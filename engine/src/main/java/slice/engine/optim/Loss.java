package slice.engine.optim;

import slice.engine.Tensor;

/**
 * Softmax cross-entropy, fused with its gradient: the loss of a classifier whose last layer emits logits.
 *
 * <p>For one sample with logits {@code z[K]}, label {@code y} and label smoothing {@code ε}:
 * <pre>
 *   p_k = exp(z_k − max z) / Σ_j exp(z_j − max z)          (softmax, shifted so exp never overflows)
 *   t_k = (1 − ε)·[k = y] + ε / K                           (smoothed one-hot target, Keras' definition)
 *   L   = − Σ_k t_k · log p_k = logsumexp(z) − Σ_k t_k z_k
 *   ∂L/∂z_k = p_k − t_k
 * </pre>
 * The batch loss is the mean over the N samples, so the gradient written is {@code (p − t) / N}.
 */
public final class Loss {
    private Loss() { }

    /**
     * Mean cross-entropy of {@code logits [N, K]} against {@code labels[N]}; writes ∂loss/∂logits into
     * {@code dLogits} (same shape) unless it is {@code null}.
     */
    public static float softmaxCrossEntropy(Tensor logits, int[] labels, float labelSmoothing, Tensor dLogits) {
        int n = logits.dim(0), k = logits.dim(1);
        if (labels.length < n) throw new IllegalArgumentException(n + " logits rows but " + labels.length + " labels");
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("label smoothing must be in [0, 1)");
        float[] z = logits.data;
        double total = 0;
        double offTarget = labelSmoothing / k, onTarget = 1 - labelSmoothing + offTarget;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) throw new IllegalArgumentException("label " + y + " outside [0, " + k + ")");
            int row = i * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, z[row + j]);
            double sumExp = 0, targetDotZ = 0;
            for (int j = 0; j < k; j++) {
                sumExp += Math.exp(z[row + j] - max);
                targetDotZ += (j == y ? onTarget : offTarget) * (z[row + j] - max);
            }
            double logSumExp = Math.log(sumExp);
            total += logSumExp - targetDotZ;
            if (dLogits != null) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z[row + j] - max - logSumExp);
                    dLogits.data[row + j] = (float) ((p - (j == y ? onTarget : offTarget)) / n);
                }
            }
        }
        return (float) (total / n);
    }

    /** Row-wise softmax of {@code logits [N, K]} into {@code probs} (may be the same tensor). */
    public static void softmax(Tensor logits, Tensor probs) {
        int n = logits.dim(0), k = logits.dim(1);
        for (int i = 0; i < n; i++) {
            int row = i * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits.data[row + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(logits.data[row + j] - max);
            for (int j = 0; j < k; j++) probs.data[row + j] = (float) (Math.exp(logits.data[row + j] - max) / sum);
        }
    }
}
