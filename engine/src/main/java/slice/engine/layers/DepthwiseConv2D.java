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
 * {@link DepthwiseKernel} (channels are the vector lanes); forward and input gradient split over rows, the kernel
 * gradient over bands of output rows (each into its own partial sums, added in band order), so results do not depend
 * on the thread count. In an inference graph a following frozen batch norm (or {@link Scale}) and ReLU are applied by
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
                padding.outSize(in.outputShape()[0], kh, stride),
                padding.outSize(in.outputShape()[1], kw, stride), in.outputShape()[2]}, in);
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
        final WindowGeometry window;
        float[][] kernelPartials = new float[0][], biasPartials = new float[0][];

        State(Epilogue epilogue, WindowGeometry window) {
            this.epilogue = epilogue;
            this.window = window;
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
        ColumnMap map = null;
        if (f.epilogue != null) {
            f.epilogue.prepare();
            map = f.epilogue.map();
        }
        ColumnMap rowMap = map;
        Parallel.forRange(node.batch() * window.outH, (r0, r1) -> KERNEL.forward(window, x, k, b, rowMap, y, r0, r1));
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

    @Override public void backward(Node node) {
        float[] dy = node.grad().data, k = kernel.value.data;
        WindowGeometry window = ((State) node.state()).window;
        if (node.inGrad(0) != null) {
            float[] dx = node.inGrad(0).data;
            boolean add = node.addsToInGrad(0);
            int rowLength = window.w * channels;
            Parallel.forRange(node.batch() * window.h, (r0, r1) -> {
                for (int r = r0; r < r1; r++) { // row by row: the kernel adds into a row just zeroed, still in cache
                    if (!add) Arrays.fill(dx, r * rowLength, (r + 1) * rowLength, 0f);
                    KERNEL.backwardInput(window, dy, k, dx, r, r + 1);
                }
            });
        }
        if (isTrainable()) backwardKernel(node, dy);
    }

    /**
     * ∂L/∂K and ∂L/∂b: each band of {@link #KERNEL_GRADIENT_ROWS} output rows (of the batch's {@code N·outH}) summed
     * into its own partial, in parallel, then the partials added in band order — the same numbers for any thread
     * count, and all threads busy whatever the channel count.
     */
    private void backwardKernel(Node node, float[] dy) {
        State s = (State) node.state();
        WindowGeometry window = s.window;
        float[] x = node.in(0).data;
        int rows = node.batch() * window.outH, bands = (rows + KERNEL_GRADIENT_ROWS - 1) / KERNEL_GRADIENT_ROWS;
        if (s.kernelPartials.length < bands) {
            s.kernelPartials = new float[bands][kernel.value.size()];
            s.biasPartials = new float[bands][channels];
        }
        float[][] dk = s.kernelPartials, db = s.biasPartials;
        boolean hasBias = bias != null;
        Parallel.forRange(bands, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                KERNEL.backwardKernel(window, x, dy, b * KERNEL_GRADIENT_ROWS, Math.min(rows, (b + 1) * KERNEL_GRADIENT_ROWS),
                        dk[b], hasBias ? db[b] : null);
            }
        });
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
