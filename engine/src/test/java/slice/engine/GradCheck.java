package slice.engine;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Finite-difference gradient check for one layer, the test every backward pass must pass.
 *
 * <p>The loss is {@code L = Σ r ⊙ out} for a fixed random {@code r}, so ∂L/∂out = r. For sampled coordinates
 * {@code θ} of every input and every trainable parameter, the analytic gradient from {@link Layer#backward} is compared
 * with the central difference {@code (L(θ+h) − L(θ−h)) / 2h}, the loss summed in double precision.
 * Agreement is {@code |analytic − numeric| ≤ tol · max(1, |numeric|)}.
 */
public final class GradCheck {
    private GradCheck() { }

    /**
     * Checks {@code layer}, whose inputs must all be {@link Input} layers, at batch size {@code n}.
     *
     * @param training forward mode used for the check (batch norm differs)
     * @param samples  coordinates checked per tensor (all of them if the tensor is smaller)
     */
    public static void check(Layer layer, int n, boolean training, long seed, double h, double tol, int samples) {
        check(layer, null, n, training, seed, h, tol, samples);
    }

    /**
     * {@link #check(Layer, int, boolean, long, double, double, int)} for {@code layer} with {@code next} (its only
     * consumer, or {@code null} for none) fused after it, as a graph's training fusion runs them
     * ({@link Node#detachedWith}): the loss is taken on {@code next}'s output.
     */
    public static void check(Layer layer, Layer next, int n, boolean training, long seed, double h, double tol, int samples) {
        Random rnd = new Random(seed);
        Tensor[] xs = new Tensor[layer.inputs.length];
        for (int i = 0; i < xs.length; i++) {
            Layer in = layer.inputs[i];
            if (!(in instanceof Input)) throw new IllegalArgumentException("inputs of a checked layer must be Input layers");
            xs[i] = random(rnd, n, in.outputShape());
        }
        Tensor[] inputGrads = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) inputGrads[i] = new Tensor(xs[i].shape());
        Node node = next == null ? Node.detached(layer, xs, inputGrads) : Node.detachedWith(layer, next, xs, inputGrads);
        Tensor r = random(rnd, n, layer.outputShape());

        layer.forward(node, training);
        System.arraycopy(r.data, 0, node.grad().data, 0, r.size());
        layer.backward(node);

        List<Tensor[]> pairs = new ArrayList<>(); // {value, analytic gradient}
        List<String> names = new ArrayList<>();
        for (int i = 0; i < xs.length; i++) {
            pairs.add(new Tensor[] {xs[i], node.inGrad(i).copy()});
            names.add("input " + layer.inputs[i].name);
        }
        for (Param p : layer.weights()) {
            if (!p.isTrainable()) continue;
            pairs.add(new Tensor[] {p.value, p.grad.copy()});
            names.add("param " + p.name);
        }
        for (int t = 0; t < pairs.size(); t++) {
            Tensor value = pairs.get(t)[0], analytic = pairs.get(t)[1];
            int size = value.size();
            for (int s = 0; s < Math.min(samples, size); s++) {
                int i = size <= samples ? s : rnd.nextInt(size);
                float saved = value.data[i];
                value.data[i] = (float) (saved + h);
                double plus = loss(node, r, training);
                value.data[i] = (float) (saved - h);
                double minus = loss(node, r, training);
                value.data[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                double a = analytic.data[i];
                if (Math.abs(a - numeric) > tol * Math.max(1, Math.abs(numeric))) {
                    fail(layer.name + ": gradient of " + names.get(t) + " at " + i + ": analytic " + a + ", numeric " + numeric);
                }
            }
        }
    }

    private static double loss(Node node, Tensor r, boolean training) {
        node.forward(training);
        double l = 0;
        for (int i = 0; i < r.size(); i++) l += (double) r.data[i] * node.out().data[i];
        return l;
    }

    /** A tensor of the given per-sample shape and batch, uniform in [-1, 1). */
    public static Tensor random(Random rnd, int n, int... sample) {
        Tensor t = new Tensor(Tensor.withBatch(n, sample));
        for (int i = 0; i < t.size(); i++) t.data[i] = rnd.nextFloat() * 2 - 1;
        return t;
    }

    /** Fills every weight of {@code layer} (trainable or not) uniformly in [lo, hi). */
    public static void randomizeWeights(Layer layer, Random rnd, float lo, float hi) {
        for (Param p : layer.weights()) {
            for (int i = 0; i < p.value.size(); i++) p.value.data[i] = lo + rnd.nextFloat() * (hi - lo);
        }
    }
}
