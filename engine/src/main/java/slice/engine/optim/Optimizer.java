package slice.engine.optim;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Param;
import slice.engine.Tensor;

/**
 * Updates trainable parameters from their gradients: {@code step(params)} applies one update with the learning
 * rate {@code schedule.lr(iterations)} and increments {@link #iterations()}.
 *
 * <p>Per-parameter slots (momentum, Adam moments) are keyed by the parameter's name, so the optimiser can be
 * saved with the model and restored for an interrupted training run ({@link #state()} / {@link #loadState}).
 */
public abstract class Optimizer {
    protected final LrSchedule schedule;
    protected final float weightDecay;
    private final Map<String, Tensor> slots = new HashMap<>();
    private long iterations;

    protected Optimizer(LrSchedule schedule, float weightDecay) {
        if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0");
        this.schedule = schedule;
        this.weightDecay = weightDecay;
    }

    /** One update of every parameter in {@code params} (each must be trainable) from its current gradient. */
    public final void step(List<Param> params) {
        float lr = schedule.lr(iterations);
        iterations++;
        for (Param p : params) {
            if (!p.isTrainable()) throw new IllegalArgumentException(p.name + " is not trainable");
            update(p.value.data, p.grad.data, p.value.size(), p.name, lr, iterations);
        }
    }

    /** Updates {@code w[0..n)} from {@code g}; {@code t ≥ 1} is the number of this step. */
    protected abstract void update(float[] w, float[] g, int n, String name, float lr, long t);

    /** The slot {@code name/kind} (zero-initialised on first use). */
    protected final float[] slot(String name, String kind, int n) {
        return slots.computeIfAbsent(name + "/" + kind, key -> new Tensor(n)).data;
    }

    /** Steps taken so far. */
    public final long iterations() { return iterations; }

    /** The learning rate the next step will use. */
    public final float currentLr() { return schedule.lr(iterations); }

    /** Everything needed to resume: every slot, plus {@code iterations} as a one-element tensor (exact below 2²⁴ steps). */
    public final Map<String, Tensor> state() {
        Map<String, Tensor> s = new HashMap<>();
        slots.forEach((k, v) -> s.put(k, v.copy()));
        s.put("iterations", Tensor.wrap(new float[] {iterations}, 1));
        return s;
    }

    /** Restores a {@link #state()}. */
    public final void loadState(Map<String, Tensor> state) {
        slots.clear();
        state.forEach((k, v) -> {
            if (k.equals("iterations")) iterations = (long) v.data[0];
            else slots.put(k, v.copy());
        });
    }
}
