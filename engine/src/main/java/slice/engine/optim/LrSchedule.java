package slice.engine.optim;

/**
 * Learning rate as a function of the optimiser step {@code t = 0, 1, 2, …}.
 * Every schedule may start with a linear warm-up: {@code lr(t) = base · (t + 1) / warmup} for {@code t < warmup}.
 */
@FunctionalInterface
public interface LrSchedule {
    float lr(long step);

    /** {@code lr(t) = base}. */
    static LrSchedule constant(float base) {
        return t -> base;
    }

    /** Step decay: {@code lr(t) = base · gamma^⌊t / every⌋}. */
    static LrSchedule step(float base, long every, float gamma) {
        if (every < 1) throw new IllegalArgumentException("step schedule needs every >= 1");
        return t -> (float) (base * Math.pow(gamma, t / every));
    }

    /** Cosine decay from {@code base} to {@code min} over {@code total} steps: {@code min + (base−min)·(1 + cos(π t/total))/2}. */
    static LrSchedule cosine(float base, float min, long total) {
        if (total < 1) throw new IllegalArgumentException("cosine schedule needs total >= 1");
        return t -> (float) (min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, total) / total)));
    }

    /** This schedule preceded by {@code warmup} steps of linear warm-up; afterwards it runs from its own step 0. */
    default LrSchedule withWarmup(long warmup) {
        if (warmup <= 0) return this;
        LrSchedule after = this;
        return t -> t < warmup ? after.lr(0) * (t + 1) / warmup : after.lr(t - warmup);
    }
}
