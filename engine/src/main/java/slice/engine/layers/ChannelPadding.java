package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.AddKernel;
import slice.engine.kernels.Kernels;

/**
 * Zero channels appended after the input's: {@code [N, H, W, C] → [N, H, W, C + extra]} — the shortcut of a ResNet
 * block that doubles the channels without weights (dlib's and face-api.js's "down" residual blocks: {@code C → 2C}).
 *
 * <p>Forward {@code y[p, c] = x[p, c]} for {@code c < C}, {@code y[p, c] = 0} for {@code C ≤ c < C + extra}, over the
 * {@code P = N·H·W} pixels. Backward drops the extra channels: {@code ∂L/∂x[p, c] (+)= ∂L/∂y[p, c]} for {@code c < C}.
 * Each pixel's channels are one contiguous run of {@code C} floats.
 */
public final class ChannelPadding extends Layer {
    private static final AddKernel KERNEL = Kernels.ADD;
    /** Pixels per parallel task. */
    private static final int CHUNK = 256;

    public final int extra;

    public ChannelPadding(String name, Layer in, int extra) {
        super(name, padded(name, in.outputShape(), extra), in);
        this.extra = extra;
    }

    private static int[] padded(String name, int[] shape, int extra) {
        if (shape.length != 3) throw new IllegalArgumentException(name + ": ChannelPadding takes [H, W, C], got " + Arrays.toString(shape));
        if (extra < 1) throw new IllegalArgumentException(name + ": the number of zero channels must be positive, got " + extra);
        return new int[] {shape[0], shape[1], shape[2] + extra};
    }

    @Override public void forward(Node node, boolean training) {
        int c = inputs[0].outputShape()[2], out = c + extra;
        float[] x = node.in(0).data, y = node.out().data;
        Parallel.forRange(node.out().size() / out, CHUNK, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                System.arraycopy(x, p * c, y, p * out, c);
                Arrays.fill(y, p * out + c, (p + 1) * out, 0f);
            }
        });
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        int c = inputs[0].outputShape()[2], out = c + extra;
        float[] dy = node.grad().data, dx = node.inGrad(0).data;
        boolean add = node.addsToInGrad(0);
        Parallel.forRange(node.out().size() / out, CHUNK, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                if (add) KERNEL.addInto(dy, p * out, dx, p * c, c);
                else System.arraycopy(dy, p * out, dx, p * c, c);
            }
        });
    }
}
