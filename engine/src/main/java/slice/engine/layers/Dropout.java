package slice.engine.layers;

import java.util.SplittableRandom;
import slice.engine.Layer;

/**
 * Keras {@code Dropout(rate)}. Any shape; elementwise.
 *
 * <p>Training (and not frozen): {@code y = x · m} with {@code m = 1/(1−rate)} with probability {@code 1−rate}, else 0,
 * drawn per element from a generator seeded with {@code seed} and advanced by every training call (so two calls draw
 * different masks, and a run is reproducible). Backward {@code ∂L/∂x += ∂L/∂y · m} with the mask of the last forward,
 * kept in scratch. Inference: {@code y = x}, {@code ∂L/∂x += ∂L/∂y}.
 */
public final class Dropout extends Layer {
    public final float rate;
    public final long seed;
    private SplittableRandom random;
    /** The mask of the last training forward, {@code [N, ...]}; allocated by {@link #plan}. */
    private float[] mask;
    /** Whether the last forward applied a mask (training) or was the identity. */
    private boolean masked;

    public Dropout(String name, Layer in, float rate, long seed) {
        super(name, in.outputShape(), in);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(name + ": dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Restarts the mask generator from {@code seed}. A training loop reseeds at each epoch from (run seed, epoch), so a
     * run resumed from a checkpoint draws the same masks as the uninterrupted run.
     */
    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    @Override protected void plan(int batchCapacity) {
        mask = new float[batchCapacity * outputSize()];
    }

    @Override public void forward(boolean training) {
        float[] x = inputs[0].out.data, y = out.data;
        int size = out.size();
        masked = trainingMode(training) && rate > 0;
        if (!masked) {
            System.arraycopy(x, 0, y, 0, size);
            return;
        }
        float keep = 1f / (1f - rate);
        for (int i = 0; i < size; i++) {
            mask[i] = random.nextDouble() < rate ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
    }

    @Override public void backward() {
        if (inputs[0].grad == null) return;
        float[] dy = grad.data, dx = inputs[0].grad.data;
        int size = out.size();
        if (masked) {
            for (int i = 0; i < size; i++) dx[i] += dy[i] * mask[i];
        } else {
            for (int i = 0; i < size; i++) dx[i] += dy[i];
        }
    }
}
