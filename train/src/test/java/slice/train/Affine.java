package slice.train;

import java.util.Arrays;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;

/**
 * A test-only fully connected layer {@code y = x·W + b} ({@code [N, in] → [N, out]}), plain loops: a small trainable
 * model for trainer tests.
 */
final class Affine extends Layer {
    final Param kernel, bias;
    private final int in, units;

    Affine(String name, Layer input, int units, long seed) {
        super(name, new int[] {units}, input);
        this.in = input.outputShape()[0];
        this.units = units;
        kernel = Param.trainable(name + "/kernel", in, units);
        bias = Param.trainable(name + "/bias", units);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < in * units; i++) kernel.value.data[i] = (float) ((r.nextDouble() * 2 - 1) * Math.sqrt(6.0 / (in + units)));
    }

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data, w = kernel.value.data, b = bias.value.data;
        for (int n = 0; n < node.batch(); n++) {
            for (int o = 0; o < units; o++) {
                float s = b[o];
                for (int i = 0; i < in; i++) s += x[n * in + i] * w[i * units + o];
                y[n * units + o] = s;
            }
        }
    }

    @Override public void backward(Node node) {
        float[] x = node.in(0).data, dy = node.grad().data, w = kernel.value.data;
        float[] dx = node.inGrad(0) == null ? null : node.inGrad(0).data;
        if (dx != null && !node.addsToInGrad(0)) Arrays.fill(dx, 0, node.batch() * in, 0f);
        if (isTrainable()) {
            kernel.grad.zero();
            bias.grad.zero();
        }
        for (int n = 0; n < node.batch(); n++) {
            for (int o = 0; o < units; o++) {
                float g = dy[n * units + o];
                if (isTrainable()) {
                    bias.grad.data[o] += g;
                    for (int i = 0; i < in; i++) kernel.grad.data[i * units + o] += g * x[n * in + i];
                }
                if (dx != null) for (int i = 0; i < in; i++) dx[n * in + i] += g * w[i * units + o];
            }
        }
    }

    @Override public List<Param> weights() { return List.of(kernel, bias); }
}
