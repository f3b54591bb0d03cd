package slice.engine.layers;

import java.util.Arrays;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;
import slice.engine.Parallel;
import slice.engine.kernels.BatchNormKernel;
import slice.engine.kernels.Kernels;

/**
 * A learnt per-channel affine map over the channel axis of {@code [N, H, W, C]} or {@code [N, C]}, seen as a matrix
 * {@code x[P, C]} of {@code P} pixels: Caffe's {@code Scale} layer with a bias term, dlib's {@code affine} layer — a
 * batch norm whose statistics were folded into its weights. Weights {@code scale [C]} (initially 1) and {@code bias [C]}
 * (initially 0), both trainable.
 *
 * <p>Forward {@code y[p, c] = a[c]·x[p, c] + b[c]} (one fma). Backward, with {@code g = ∂L/∂y}:
 * {@code ∂L/∂x[p, c] (+)= a[c]·g[p, c]}, {@code ∂L/∂a[c] = Σ_p g[p, c]·x[p, c]}, {@code ∂L/∂b[c] = Σ_p g[p, c]}.
 *
 * <p>These are batch normalisation's inference loops ({@link BatchNormKernel#affine}, {@link BatchNormKernel#scaledGradient},
 * and {@link BatchNormKernel#gradientSums} about a zero mean), summed in blocks of pixels as {@link BatchNorm} sums: the
 * results do not depend on the thread count.
 */
public final class Scale extends Layer {
    private static final BatchNormKernel KERNEL = Kernels.BATCH_NORM;
    /** Floats per parallel task of the elementwise maps. */
    private static final int MAP_CHUNK = 1 << 14;

    public final int channels;
    /** {@code a}: the factor of each channel. */
    public final Param scale;
    /** {@code b}: the offset of each channel. */
    public final Param bias;

    /** The backward's scratch in one graph: a zero mean and the per-block partial sums {@code [block][C]}. */
    private record Sums(float[] zeroMean, float[][] partialA, float[][] partialB) { }

    public Scale(String name, Layer in) {
        super(name, in.outputShape(), in);
        int[] s = in.outputShape();
        if (s.length != 1 && s.length != 3) {
            throw new IllegalArgumentException(name + ": Scale takes [H, W, C] or [C], got " + Arrays.toString(s));
        }
        this.channels = s[s.length - 1];
        this.scale = Param.trainable(name + "/scale", channels);
        this.bias = Param.trainable(name + "/bias", channels);
        Arrays.fill(scale.value.data, 1f);
    }

    @Override protected Object newState(Node node, int batchCapacity) {
        int blocks = (batchCapacity * (outputSize() / channels) + BatchNorm.SUM_BLOCK - 1) / BatchNorm.SUM_BLOCK;
        return new Sums(new float[channels], new float[blocks][channels], new float[blocks][channels]);
    }

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data, a = scale.value.data, b = bias.value.data;
        int pixels = node.out().size() / channels;
        Parallel.forRange(pixels, Math.max(1, MAP_CHUNK / channels), (p0, p1) -> KERNEL.affine(x, y, p0, p1, channels, a, b));
    }

    @Override public void backward(Node node) {
        float[] x = node.in(0).data, dy = node.grad().data;
        int pixels = node.out().size() / channels;
        if (isTrainable()) {
            Sums s = (Sums) node.state();
            // ∂L/∂b = Σ g, ∂L/∂a = Σ g·(x − 0)
            BatchNorm.sumOverPixels(s.partialA, s.partialB, channels, pixels,
                    (p0, p1, g, gx) -> KERNEL.gradientSums(dy, x, p0, p1, channels, s.zeroMean, g, gx), bias.grad.data, scale.grad.data);
        }
        if (node.inGrad(0) == null) return;
        float[] dx = node.inGrad(0).data, a = scale.value.data;
        boolean add = node.addsToInGrad(0);
        Parallel.forRange(pixels, Math.max(1, MAP_CHUNK / channels),
                (p0, p1) -> KERNEL.scaledGradient(dy, dx, p0, p1, channels, a, add));
    }

    @Override public List<Param> weights() { return List.of(scale, bias); }
}
