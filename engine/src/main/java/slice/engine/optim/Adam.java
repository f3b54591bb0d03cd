package slice.engine.optim;

/**
 * Adam (Kingma &amp; Ba) and AdamW (Loshchilov &amp; Hutter). With {@code t} the step number (from 1):
 * <pre>
 *   g ← g + λ·w                          (Adam: L2 decay enters the gradient)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 *   w ← w − lr·λ·w                       (AdamW instead: decay decoupled from the gradient statistics)
 * </pre>
 */
public final class Adam extends Optimizer {
    private final float beta1, beta2, epsilon;
    private final boolean decoupled;

    private Adam(LrSchedule schedule, float beta1, float beta2, float epsilon, float weightDecay, boolean decoupled) {
        super(schedule, weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.decoupled = decoupled;
    }

    /** Adam with L2 weight decay folded into the gradient (Keras' defaults: β1 0.9, β2 0.999, ε 1e-7). */
    public static Adam adam(LrSchedule schedule, float weightDecay) {
        return new Adam(schedule, 0.9f, 0.999f, 1e-7f, weightDecay, false);
    }

    /** AdamW: decoupled weight decay. */
    public static Adam adamW(LrSchedule schedule, float weightDecay) {
        return new Adam(schedule, 0.9f, 0.999f, 1e-7f, weightDecay, true);
    }

    @Override protected void update(float[] w, float[] g, int n, String name, float lr, long t) {
        float[] m = slot(name, "m", n), v = slot(name, "v", n);
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / c1), rootC2 = (float) Math.sqrt(c2);
        float l2 = decoupled ? 0 : weightDecay, decay = decoupled ? lr * weightDecay : 0;
        for (int i = 0; i < n; i++) {
            float gi = g[i] + l2 * w[i];
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / rootC2 + epsilon) + decay * w[i];
        }
    }
}
