package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.WindowGeometry;

/**
 * Keras {@code MaxPooling2D(pool, strides, padding)}: {@code [N, H, W, C] → [N, OH, OW, C]}.
 *
 * <p>Forward {@code y[n, oy, ox, c] = max x[n, oy·s − pt + ky, ox·s − pl + kx, c]} over the window cells inside the
 * input — padded cells never win (TensorFlow pads max pooling with −∞). Backward routes each output gradient to its
 * winner, the first window cell in (ky, kx) order that equals the output (the first cell if none does: NaN):
 * {@code ∂L/∂x[argmax(n, oy, ox, c)] += ∂L/∂y[n, oy, ox, c]}, scattered in output order, images and channel blocks in
 * parallel (an output only routes into its own image and channel, so the threads write disjoint parts of the
 * gradient). Where a gradient flows through the layer, forward remembers each output's winner (its position in the
 * window, found by the running max itself) and backward scatters through them; an inference graph keeps none and
 * runs the plain running max. Both loops are a {@link PoolKernel} (channels are the vector lanes).
 */
public final class MaxPooling2D extends Layer {
    private static final PoolKernel KERNEL = Kernels.POOL;

    public final int pool, stride;
    public final Padding padding;
    private final WindowGeometry geometry;

    public MaxPooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(imageShape(name, in)[0], pool, stride), padding.outSize(imageShape(name, in)[1], pool, stride), imageShape(name, in)[2]}, in);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
        this.geometry = windowOf(in.outputShape(), outputShape(), pool, stride, padding);
    }

    /** The pooling window of a {@code pool × pool}, stride {@code stride} layer from {@code in} to {@code out} ([H, W, C]). */
    static WindowGeometry windowOf(int[] in, int[] out, int pool, int stride, Padding padding) {
        return new WindowGeometry(in[0], in[1], in[2], pool, pool, stride,
                padding.padBefore(in[0], pool, stride), padding.padBefore(in[1], pool, stride), out[0], out[1]);
    }

    /** The winners of the last forward, {@code [N, OH, OW, C]}, where a gradient flows through the node; else none. */
    @Override protected Object newState(Node node, int batchCapacity) {
        return node.grad() == null ? null : new float[batchCapacity * outputSize()];
    }

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data, winners = (float[]) node.state();
        Parallel.forRange(node.batch() * geometry.outH, (r0, r1) -> KERNEL.maxForward(geometry, x, y, winners, r0, r1));
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        float[] winners = (float[]) node.state(), dy = node.grad().data, dx = node.inGrad(0).data;
        if (!node.addsToInGrad(0)) node.inGrad(0).zero(); // the kernel scatters into the window maxima only
        int c = geometry.channels, blocks = (c + Simd.FLOAT_LANES - 1) / Simd.FLOAT_LANES;
        // work unit n·blocks + b: image n, channels [b·lanes, (b+1)·lanes); a thread's units are one channel range per image
        Parallel.forRange(node.batch() * blocks, (u0, u1) -> {
            for (int n = u0 / blocks; n * blocks < u1; n++) {
                int b0 = Math.max(u0 - n * blocks, 0), b1 = Math.min(u1 - n * blocks, blocks);
                KERNEL.maxBackward(geometry, winners, dy, dx, n, b0 * Simd.FLOAT_LANES, Math.min(b1 * Simd.FLOAT_LANES, c));
            }
        });
    }
}
