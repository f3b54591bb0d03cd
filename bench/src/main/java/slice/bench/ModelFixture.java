package slice.bench;

import java.util.Random;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.models.InceptionV3;
import slice.models.MobileNetV2;

/**
 * A whole network with He-uniform random weights (bound √(6 / fan-in), so activations keep their scale through
 * the depth, as with trained weights) and a random input batch in [-1, 1), the preprocessed pixel range.
 * {@code mobilenetv2} is MobileNetV2 1.0/224, {@code inceptionv3} is InceptionV3/299, both with the 1000-class top.
 */
final class ModelFixture {
    final Graph graph;
    final Tensor input;

    ModelFixture(String model, int batch) {
        graph = build(model);
        Random rnd = new Random(42);
        for (Param p : graph.weights()) {
            if (!p.isTrainable() || p.value.rank() < 2) continue;
            int[] s = p.value.shape();
            // HWIO conv kernel: fan-in kh·kw·Cin; depthwise [kh, kw, C, 1]: kh·kw; dense [in, out]: in.
            int fanIn = s[s.length - 1] == 1 && s.length == 4 ? s[0] * s[1] : p.value.size() / s[s.length - 1];
            float bound = (float) Math.sqrt(6.0 / fanIn);
            for (int i = 0; i < p.value.size(); i++) p.value.data[i] = bound * (rnd.nextFloat() * 2 - 1);
        }
        int[] shape = new int[] {batch, graph.inputShape()[0], graph.inputShape()[1], graph.inputShape()[2]};
        input = new Tensor(shape);
        for (int i = 0; i < input.size(); i++) input.data[i] = rnd.nextFloat() * 2 - 1;
    }

    static Graph build(String model) {
        return switch (model) {
            case "mobilenetv2" -> MobileNetV2.build(1.0f, 224, true, 1000);
            case "inceptionv3" -> InceptionV3.build(299, true, 1000);
            default -> throw new IllegalArgumentException("unknown model '" + model + "': mobilenetv2 or inceptionv3");
        };
    }

    /** Multiply-adds per image of the forward pass through {@code graph}'s layers. */
    static long macs(Graph graph) {
        long m = 0;
        for (Layer l : graph.layers()) m += l.macs();
        return m;
    }

    /** Multiply-adds per image of the trainable layers of {@code graph} (what a backward pass differentiates). */
    static long trainableMacs(Graph graph) {
        long m = 0;
        for (Layer l : graph.layers()) if (l.isTrainable()) m += l.macs();
        return m;
    }
}
