package slice.engine.layers;

import java.util.SplittableRandom;
import slice.engine.Layer;
import slice.engine.Node;

/**
 * Keras {@code Dropout(rate)}. Any shape; elementwise.
 *
 * <p>Training (and not frozen): {@code y = x · m} with {@code m = 1/(1−rate)} with probability {@code 1−rate}, else 0,
 * drawn per element from a generator seeded with {@code seed} and advanced by every training call (so two calls draw
 * different masks, and a run is reproducible). Backward {@code ∂L/∂x (+)= ∂L/∂y · m} with the mask of the last forward,
 * which the graph keeps in the layer's {@link slice.engine.Node}. Inference: {@code y = x}, {@code ∂L/∂x (+)= ∂L/∂y}.
 *
 * <p>The generator is the layer's, as in Keras (the one state a layer keeps besides its weights): graphs that share
 * a dropout layer draw their masks from one sequence.
 */
public final class Dropout extends Layer {
    public final float rate;
    private SplittableRandom random;

    /** What one graph keeps of the last forward: its mask {@code [N, ...]}, and whether it applied one at all. */
    private static final class Mask {
        final float[] values;
        boolean applied;

        Mask(int size) { values = new float[size]; }
    }

    public Dropout(String name, Layer in, float rate, long seed) {
        super(name, in.outputShape(), in);
        if (!(rate >= 0 && rate < 1)) throw new IllegalArgumentException(name + ": dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.random = new SplittableRandom(seed);
    }

    /**
     * Restarts the mask generator from {@code seed}. A training loop reseeds at each epoch from (run seed, epoch), so a
     * run resumed from a checkpoint draws the same masks as the uninterrupted run.
     */
    public void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    @Override protected Object newState(Node node, int batchCapacity) {
        return new Mask(batchCapacity * outputSize());
    }

    @Override public void forward(Node node, boolean training) {
        Mask m = (Mask) node.state();
        float[] x = node.in(0).data, y = node.out().data, mask = m.values;
        int size = node.out().size();
        m.applied = trainingMode(training) && rate > 0;
        if (!m.applied) {
            System.arraycopy(x, 0, y, 0, size);
            return;
        }
        float keep = 1f / (1f - rate);
        for (int i = 0; i < size; i++) {
            mask[i] = random.nextDouble() < rate ? 0f : keep;
            y[i] = x[i] * mask[i];
        }
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        Mask m = (Mask) node.state();
        float[] dy = node.grad().data, dx = node.inGrad(0).data, mask = m.values;
        int size = node.out().size();
        boolean add = node.addsToInGrad(0);
        for (int i = 0; i < size; i++) dx[i] = (add ? dx[i] : 0f) + (m.applied ? dy[i] * mask[i] : dy[i]);
    }
}
