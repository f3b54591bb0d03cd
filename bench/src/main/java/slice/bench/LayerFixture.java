package slice.bench;

import java.util.Random;
import java.util.function.Function;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;
import slice.engine.Tensor;

/**
 * One layer on random data with every buffer its forward and backward passes touch: the layer's inputs hold
 * uniform values in [-1, 1), its trainable weights small random values (state such as moving
 * variance keeps its valid initial value), its output gradient random values, and every input
 * has a gradient buffer (so backward computes both ∂L/∂input and ∂L/∂weights, as inside a network).
 *
 * <p>The layer is built on one {@link Input} by {@code make} (possibly through helper layers, e.g. the branches of a
 * concatenation) and runs on a {@link Node#detached} node; the benchmark times the layer's own {@link Layer#forward}
 * or {@link Layer#backward} on it.
 */
public final class LayerFixture {
    public final Layer layer;
    public final Node node;

    public LayerFixture(int batch, int[] inputShape, Function<Input, Layer> make) {
        Random rnd = new Random(42);
        layer = make.apply(new Input("x", inputShape));
        for (Param p : layer.weights()) if (p.isTrainable()) fill(p.value, rnd, 0.1f);
        Tensor[] inputs = new Tensor[layer.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = new Tensor(Tensor.withBatch(batch, layer.inputs().get(i).outputShape()));
            fill(inputs[i], rnd, 1f);
        }
        node = Node.detached(layer, inputs);
        fill(node.grad(), rnd, 1f);
    }

    /** The forward pass the backward benchmark differentiates: training mode, so batch norm keeps batch statistics. */
    public LayerFixture primeBackward() {
        node.forward(true);
        return this;
    }

    /** 2 × multiply-adds of the forward pass over the batch. */
    public double forwardFlops() {
        return 2.0 * layer.macs() * node.batch();
    }

    private static void fill(Tensor t, Random rnd, float scale) {
        for (int i = 0; i < t.size(); i++) t.data[i] = scale * (rnd.nextFloat() * 2 - 1);
    }
}
