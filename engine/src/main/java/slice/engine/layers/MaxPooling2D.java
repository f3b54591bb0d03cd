package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Parallel;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.WindowGeometry;

/**
 * Keras {@code MaxPooling2D(pool, strides, padding)}: {@code [N, H, W, C] → [N, OH, OW, C]}.
 *
 * <p>Forward {@code y[n, oy, ox, c] = max x[n, oy·s − pt + ky, ox·s − pl + kx, c]} over the window cells inside the
 * input — padded cells never win (TensorFlow pads max pooling with −∞). The winning input index is kept in scratch
 * ({@link #plan}); on ties the first cell in (ky, kx) order wins. Backward routes each output gradient to its winner:
 * {@code ∂L/∂x[argmax(n, oy, ox, c)] += ∂L/∂y[n, oy, ox, c]}, scattered in output order, images in parallel (an
 * image's outputs only route into that image, so the threads write disjoint parts of the gradient).
 * The forward loops are a {@link PoolKernel} (channels are the vector lanes), split over output rows.
 */
public final class MaxPooling2D extends Layer {
    private static final PoolKernel KERNEL = Kernels.POOL;

    public final int pool, stride;
    public final Padding padding;
    private final WindowGeometry geometry;
    /** Flat input index of each output's winner, {@code [N, OH, OW, C]}. */
    private int[] argmax;

    public MaxPooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(in.outputShape()[0], pool, stride), padding.outSize(in.outputShape()[1], pool, stride), in.outputShape()[2]}, in);
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

    @Override protected void plan(int batchCapacity) {
        argmax = new int[batchCapacity * outputSize()];
    }

    @Override public void forward(boolean training) {
        float[] x = inputs[0].out.data, y = out.data;
        Parallel.forRange(batch() * geometry.outH, (r0, r1) -> KERNEL.maxForward(geometry, x, y, argmax, r0, r1));
    }

    @Override public void backward() {
        if (inputs[0].grad == null) return;
        float[] dy = grad.data, dx = inputs[0].grad.data;
        int perImage = outputSize();
        Parallel.forRange(batch(), (n0, n1) -> {
            for (int o = n0 * perImage; o < n1 * perImage; o++) dx[argmax[o]] += dy[o];
        });
    }
}
