package slice.engine.layers;

import java.util.Arrays;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.WindowGeometry;

/**
 * Keras {@code AveragePooling2D(pool, strides, padding)}: {@code [N, H, W, C] → [N, OH, OW, C]}.
 *
 * <p>Forward {@code y[n, oy, ox, c] = (1/|V|) Σ_{(iy, ix) ∈ V} x[n, iy, ix, c]} where {@code V} is the set of window
 * cells inside the input: with {@code SAME} padding the padded cells are not counted (TensorFlow semantics, so a 3×3
 * corner averages 4 cells). Backward spreads each output gradient evenly over its cells:
 * {@code ∂L/∂x[n, iy, ix, c] += Σ over windows containing (iy, ix) of ∂L/∂y[n, oy, ox, c] / |V(oy, ox)|}, gathered per
 * input row. The loops are a {@link PoolKernel} (channels are the vector lanes), split over rows.
 */
public final class AveragePooling2D extends Layer {
    private static final PoolKernel KERNEL = Kernels.POOL;

    public final int pool, stride;
    public final Padding padding;
    private final WindowGeometry geometry;
    /** {@code 1/|V|} for each output pixel {@code oy·OW + ox}. */
    private final float[] inverseCount;

    public AveragePooling2D(String name, Layer in, int pool, int stride, Padding padding) {
        super(name, new int[] {padding.outSize(imageShape(name, in)[0], pool, stride), padding.outSize(imageShape(name, in)[1], pool, stride), imageShape(name, in)[2]}, in);
        this.pool = pool;
        this.stride = stride;
        this.padding = padding;
        WindowGeometry g = MaxPooling2D.windowOf(in.outputShape(), outputShape(), pool, stride, padding);
        this.geometry = g;
        inverseCount = new float[g.outH * g.outW];
        for (int oy = 0; oy < g.outH; oy++) {
            int iy0 = oy * stride - g.padTop;
            int rows = WindowGeometry.endTap(iy0, g.h, pool) - WindowGeometry.firstTap(iy0);
            for (int ox = 0; ox < g.outW; ox++) {
                int ix0 = ox * stride - g.padLeft;
                int cols = WindowGeometry.endTap(ix0, g.w, pool) - WindowGeometry.firstTap(ix0);
                inverseCount[oy * g.outW + ox] = 1f / (rows * cols);
            }
        }
    }

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data;
        Parallel.forRange(node.batch() * geometry.outH, (r0, r1) -> KERNEL.avgForward(geometry, x, inverseCount, y, r0, r1));
    }

    @Override public void backward(Node node) {
        if (node.inGrad(0) == null) return;
        float[] dy = node.grad().data, dx = node.inGrad(0).data;
        boolean add = node.addsToInGrad(0);
        int rowLength = geometry.w * geometry.channels;
        Parallel.forRange(node.batch() * geometry.h, (r0, r1) -> {
            if (!add) Arrays.fill(dx, r0 * rowLength, r1 * rowLength, 0f); // the kernel adds into its input rows
            KERNEL.avgBackward(geometry, dy, inverseCount, dx, r0, r1);
        });
    }

    @Override public long macs() { return (long) outputSize() * pool * pool; }
}
