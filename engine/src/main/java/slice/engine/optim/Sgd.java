package slice.engine.optim;

/**
 * Stochastic gradient descent with optional momentum μ, Nesterov momentum and L2 weight decay λ
 * (PyTorch's formulation, which equals Keras' for a constant learning rate):
 * <pre>
 *   g ← g + λ·w
 *   v ← μ·v + g                      (v = 0 initially; skipped when μ = 0)
 *   w ← w − lr·(g + μ·v)   Nesterov, or   w ← w − lr·v   classical
 * </pre>
 */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;

    public Sgd(LrSchedule schedule, float momentum, boolean nesterov, float weightDecay) {
        super(schedule, weightDecay);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("momentum must be in [0, 1)");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override protected void update(float[] w, float[] g, int n, String name, float lr, long t) {
        float[] v = momentum > 0 ? slot(name, "velocity", n) : null;
        for (int i = 0; i < n; i++) {
            float gi = g[i] + weightDecay * w[i];
            if (v == null) {
                w[i] -= lr * gi;
                continue;
            }
            v[i] = momentum * v[i] + gi;
            w[i] -= lr * (nesterov ? gi + momentum * v[i] : v[i]);
        }
    }
}
