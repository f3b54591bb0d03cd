package slice.engine.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.Param;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.DepthwiseKernel;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.WindowGeometry;

/**
 * Keras {@code DepthwiseConv2D} (depth multiplier 1): {@code depthwise_kernel [kh, kw, C, 1]}, optional
 * {@code bias [C]}; input {@code [N, H, W, C]}, output {@code [N, OH, OW, C]} with {@link Padding} (TF {@code same}:
 * the extra pixel goes bottom/right).
 *
 * <p>Forward {@code y[n, oy, ox, c] = b[c] + Σ_{ky,kx} x[n, oy·s − pt + ky, ox·s − pl + kx, c] · K[ky, kx, c]}
 * (padding reads zero). Gradients: {@code ∂L/∂x} gathers, for every input pixel, the {@code ∂L/∂y · K} of the
 * outputs that read it (written or added as {@link Node#addsToInGrad} says);
 * {@code ∂L/∂K[ky, kx, c] = Σ ∂L/∂y[n, oy, ox, c] · x[…]}; {@code ∂L/∂b[c] = Σ ∂L/∂y[n, oy, ox, c]}. The loops are a
 * {@link DepthwiseKernel} (channels are the vector lanes); forward split over rows, backward over bands of output rows
 * (each kernel gradient into its own partial sums, added in band order; see {@link #backward}), so results do not
 * depend on the thread count. In an inference graph a following frozen batch norm (or {@link Scale}) and ReLU are applied by
 * the kernel to each output before it is stored ({@link Epilogue}); in any graph a zero padding before it is read
 * through ({@link #canReadThrough}): forward reads the unpadded input, backward writes the unpadded input's gradient.
 */
public final class DepthwiseConv2D extends Layer {
    private static final DepthwiseKernel KERNEL = Kernels.DEPTHWISE;
    /** Output rows summed into one partial kernel gradient (a band; the bands are then added in order). */
    static final int KERNEL_GRADIENT_ROWS = 8;

    public final int kh, kw, stride, channels;
    public final Padding padding;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;
    private final WindowGeometry geometry;

    public DepthwiseConv2D(String name, Layer in, int kh, int kw, int stride, Padding padding, boolean useBias) {
        super(name, new int[] {
                padding.outSize(imageShape(name, in)[0], kh, stride),
                padding.outSize(imageShape(name, in)[1], kw, stride), imageShape(name, in)[2]}, in);
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.channels = in.outputShape()[2];
        this.padding = padding;
        this.kernel = Param.trainable(name + "/depthwise_kernel", kh, kw, channels, 1);
        this.bias = useBias ? Param.trainable(name + "/bias", channels) : null;
        int h = in.outputShape()[0], w = in.outputShape()[1];
        int[] o = outputShape();
        this.geometry = new WindowGeometry(h, w, channels, kh, kw, stride,
                padding.padBefore(h, kh, stride), padding.padBefore(w, kw, stride), o[0], o[1]);
    }

    /**
     * What one graph's plan fused into this layer (the epilogue after it and the window it reads through) and the
     * kernel gradient's partial sums, {@code [band][kh·kw·C]} and {@code [band][C]}, grown by the first backward.
     */
    private static final class State {
        final Epilogue epilogue;
        /**
         * The map the kernel applies: the epilogue's, or with nothing fused a pass-through one (scale 1, shift −0, no
         * clamp: {@code min(max(fma(y, 1, −0), −∞), +∞) = y} bit for bit, ±0 and NaN included). Never none, so that a
         * training pass runs the kernel's mapped path, the one every inference pass runs: the JIT compiles the kernel
         * during the feature extraction's passes, and a branch those never took would send the compiled kernel back
         * to the interpreter at the first training step.
         */
        final ColumnMap map;
        final WindowGeometry window;
        /**
         * Input rows {@code [firstInputRow[oy], firstInputRow[oy + 1])} have output row {@code oy} as their last reader
         * ({@link slice.engine.kernels.TapRun#firstOut}; rows no output reads go with the nearest one).
         */
        final int[] firstInputRow;
        float[][] kernelPartials = new float[0][], biasPartials = new float[0][];

        State(Epilogue epilogue, WindowGeometry window) {
            this.epilogue = epilogue;
            this.map = epilogue != null ? epilogue.map() : passThrough(window.channels);
            this.window = window;
            firstInputRow = new int[window.outH + 1];
            for (int oy = 0; oy <= window.outH; oy++) {
                int iy = oy == 0 ? 0 : firstInputRow[oy - 1];
                while (iy < window.h && window.rowTaps[iy].firstOut() < oy) iy++;
                firstInputRow[oy] = oy == window.outH ? window.h : iy;
            }
        }
    }

    @Override protected Object newState(Node node, int batchCapacity) {
        WindowGeometry window = node.readThrough() instanceof ZeroPadding2D pad ? readingThrough(pad) : geometry;
        return new State(Epilogue.of(channels, node.fusedAfter()), window);
    }

    @Override public void forward(Node node, boolean training) {
        State f = (State) node.state();
        float[] x = node.in(0).data, k = kernel.value.data, b = bias == null ? null : bias.value.data, y = node.out().data;
        WindowGeometry window = f.window;
        if (f.epilogue != null) f.epilogue.prepare();
        ColumnMap map = f.map;
        Parallel.forRange(node.batch() * window.outH, (r0, r1) -> KERNEL.forward(window, x, k, b, map, y, r0, r1));
    }

    /** The map that leaves every value as it is: {@code fma(y, 1, −0)}, then no clamp. */
    private static ColumnMap passThrough(int channels) {
        float[] one = new float[channels], minusZero = new float[channels];
        Arrays.fill(one, 1f);
        Arrays.fill(minusZero, -0f);
        return new ColumnMap(one, minusZero, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    @Override protected boolean canFuse(List<Layer> fusedSoFar, Layer next) {
        return Epilogue.accepts(fusedSoFar, channels, next);
    }

    /** A {@link ZeroPadding2D} before this layer can be read through ({@link #readingThrough}). */
    @Override protected boolean canReadThrough(Layer producer) { return producer instanceof ZeroPadding2D; }

    /**
     * This layer's window over the unpadded input of {@code pad}: reading it with the padding added to this layer's
     * own ({@code padTop + top}, {@code padLeft + left}) gives the same windows, since taps outside an image read
     * zero — as do the padding's bottom and right rows.
     */
    private WindowGeometry readingThrough(ZeroPadding2D pad) {
        int[] s = pad.inputs().get(0).outputShape();
        return new WindowGeometry(s[0], s[1], channels, kh, kw, stride, geometry.padTop + pad.top,
                geometry.padLeft + pad.left, geometry.outH, geometry.outW);
    }

    /**
     * Both gradients in one pass over bands of {@link #KERNEL_GRADIENT_ROWS} output rows (of the batch's
     * {@code N·outH}), in parallel: a band sums its ∂L/∂K and ∂L/∂b into its own partial, then writes the input
     * gradient of the input rows whose last reader (the largest output row that reads them) is in the band, while the
     * band's ∂L/∂y is still in cache — each input row exactly once, by the gather of {@link DepthwiseKernel}. The
     * partials are then added in band order: the same numbers for any thread count, all threads busy whatever the
     * channel count.
     */
    @Override public void backward(Node node) {
        State s = (State) node.state();
        WindowGeometry g = s.window;
        float[] dy = node.grad().data, k = kernel.value.data, x = node.in(0).data;
        float[] dx = node.inGrad(0) == null ? null : node.inGrad(0).data;
        boolean add = dx != null && node.addsToInGrad(0), learns = isTrainable(), hasBias = bias != null;
        int rows = node.batch() * g.outH, bands = (rows + KERNEL_GRADIENT_ROWS - 1) / KERNEL_GRADIENT_ROWS;
        if (learns && s.kernelPartials.length < bands) {
            s.kernelPartials = new float[bands][kernel.value.size()];
            s.biasPartials = new float[bands][channels];
        }
        float[][] dk = s.kernelPartials, db = s.biasPartials;
        int rowLength = g.w * channels;
        Parallel.forRange(bands, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int r0 = b * KERNEL_GRADIENT_ROWS, r1 = Math.min(rows, r0 + KERNEL_GRADIENT_ROWS);
                if (learns) KERNEL.backwardKernel(g, x, dy, r0, r1, dk[b], hasBias ? db[b] : null);
                if (dx == null) continue;
                for (int r = r0; r < r1; r++) {
                    int n = r / g.outH, oy = r % g.outH;
                    for (int i = n * g.h + s.firstInputRow[oy]; i < n * g.h + s.firstInputRow[oy + 1]; i++) {
                        if (!add) Arrays.fill(dx, i * rowLength, (i + 1) * rowLength, 0f); // zeroed, then added into in cache
                        KERNEL.backwardInput(g, dy, k, dx, i, i + 1);
                    }
                }
            }
        });
        if (!learns) return;
        System.arraycopy(dk[0], 0, kernel.grad.data, 0, dk[0].length);
        for (int b = 1; b < bands; b++) Kernels.ADD.addInto(dk[b], 0, kernel.grad.data, 0, dk[b].length);
        if (!hasBias) return;
        System.arraycopy(db[0], 0, bias.grad.data, 0, channels);
        for (int b = 1; b < bands; b++) Kernels.ADD.addInto(db[b], 0, bias.grad.data, 0, channels);
    }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) outputSize() * kh * kw; }
}
