package slice.engine.layers;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Parallel;
import slice.engine.Param;
import slice.engine.Simd;
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
 * outputs that read it (added into the input's gradient); {@code ∂L/∂K[ky, kx, c] = Σ ∂L/∂y[n, oy, ox, c] · x[…]};
 * {@code ∂L/∂b[c] = Σ ∂L/∂y[n, oy, ox, c]}. The loops are a {@link DepthwiseKernel} (channels are the vector lanes);
 * forward and input gradient split over rows, the kernel gradient over channel blocks (each thread owns its
 * channels' sums), so results do not depend on the thread count. In an inference graph a following frozen batch
 * norm and ReLU are applied by the kernel to each output before it is stored ({@link Epilogue}), and a zero padding
 * before it is read through ({@link #fuseInput}).
 */
public final class DepthwiseConv2D extends Layer {
    private static final DepthwiseKernel KERNEL = Kernels.DEPTHWISE;
    /** Channels per parallel task of the kernel gradient: whole groups of four vectors. */
    private static final int CHANNEL_BLOCK = 4 * Simd.FLOAT_LANES;

    public final int kh, kw, stride, channels;
    public final Padding padding;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;
    private final WindowGeometry geometry;
    /** The batch norm and ReLU this layer applies to its output in an inference graph ({@link #fuse}), or null. */
    private Epilogue epilogue;
    /** The zero padding this layer reads through in an inference graph ({@link #fuseInput}), or null. */
    private ZeroPadding2D paddedInput;
    /** This layer's window over {@link #paddedInput}'s unpadded input. */
    private WindowGeometry paddedGeometry;

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

    @Override public void forward(boolean training) {
        boolean padded = paddedInput != null;
        float[] x = padded ? paddedInput.inputs().get(0).out.data : inputs[0].out.data;
        Epilogue e = epilogue;
        float[] k = kernel.value.data, b = bias == null ? null : bias.value.data, y = (e == null ? out : e.output()).data;
        WindowGeometry window = padded ? paddedGeometry : geometry;
        ColumnMap map = null;
        if (e != null) {
            e.prepare();
            map = e.map();
        }
        ColumnMap rowMap = map;
        Parallel.forRange(batch() * window.outH, (r0, r1) -> KERNEL.forward(window, x, k, b, rowMap, y, r0, r1));
    }

    @Override protected boolean fuse(Layer next) {
        Epilogue e = Epilogue.extend(epilogue, channels, next);
        if (e != null) epilogue = e;
        return e != null;
    }

    /**
     * Takes a {@link ZeroPadding2D} input over: reading its unpadded input with the padding added to this layer's
     * own ({@code padTop + top}, {@code padLeft + left}) gives the same windows, since taps outside an image read
     * zero — as do the padding's bottom and right rows.
     */
    @Override protected boolean fuseInput(Layer producer) {
        if (!(producer instanceof ZeroPadding2D pad)) return false;
        int[] s = pad.inputs().get(0).outputShape();
        paddedInput = pad;
        paddedGeometry = new WindowGeometry(s[0], s[1], channels, kh, kw, stride, geometry.padTop + pad.top,
                geometry.padLeft + pad.left, geometry.outH, geometry.outW);
        return true;
    }

    @Override protected void unfuse() {
        epilogue = null;
        paddedInput = null;
        paddedGeometry = null;
    }

    @Override public void backward() {
        float[] dy = grad.data, k = kernel.value.data;
        if (inputs[0].grad != null) {
            float[] dx = inputs[0].grad.data;
            Parallel.forRange(batch() * geometry.h, (r0, r1) -> KERNEL.backwardInput(geometry, dy, k, dx, r0, r1));
        }
        if (isTrainable()) {
            float[] x = inputs[0].out.data, dk = kernel.grad.data, db = bias == null ? null : bias.grad.data;
            int n = batch(), blocks = (channels + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK;
            Parallel.forRange(blocks, (b0, b1) -> KERNEL.backwardKernel(geometry, x, dy, n, dk, db,
                    b0 * CHANNEL_BLOCK, Math.min(b1 * CHANNEL_BLOCK, channels)));
        }
    }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) outputSize() * kh * kw; }
}
