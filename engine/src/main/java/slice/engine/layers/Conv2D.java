package slice.engine.layers;

import static slice.engine.kernels.Kernels.DIRECT_CONV;
import static slice.engine.kernels.Kernels.GEMM;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.Param;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.DirectConvKernel;
import slice.engine.kernels.Im2col;
import slice.engine.kernels.MatrixRows;
import slice.engine.kernels.WinogradConv;
import slice.engine.kernels.WinogradLineConv;

/**
 * Keras {@code Conv2D}: weights {@code kernel [kh, kw, Cin, Cout]} and optional {@code bias [Cout]}.
 *
 * <p>Forward, for input {@code X [N, H, W, Cin]} and output {@code Y [N, Ho, Wo, Cout]}:
 * {@code Y[n,oy,ox,o] = b[o] + Σ_{ky,kx,c} X[n, oy·sh − pt + ky, ox·sw − pl + kx, c] · K[ky,kx,c,o]}
 * (zero outside the image; {@code pt, pl} from {@link Padding}). As matrices: {@code Y = cols·W + b} with
 * {@code cols [N·Ho·Wo, Kc]} the {@link Im2col} lowering, {@code Kc = kh·kw·Cin} and {@code W} the kernel viewed as
 * {@code [Kc, Cout]} (the Keras layout, no copy). A 1×1 stride-1 convolution needs no lowering: {@code cols = X}
 * viewed as {@code [N·H·W, Cin]}.
 *
 * <p>Backward, with {@code dY = ∂L/∂Y [N·Ho·Wo, Cout]}: {@code dW = colsᵀ·dY}, {@code db = Σ_rows dY} (both
 * overwritten, only when trainable) and {@code dX (+)= col2im(dY·Wᵀ)} (written or added as {@link Node#addsToInGrad}
 * says, only when the input wants a gradient). A 1×1 stride-1 layer asks for both products in one call
 * ({@link slice.engine.kernels.Gemm#pointwiseBackward}), which may compute them in one pass over {@code dY}.
 *
 * <p>On lanes: every product is a {@link slice.engine.kernels.Gemm}; in {@code Y = cols·W} its vector lanes run
 * over output channels and its register tile over output pixels. For other windows forward gives the GEMM
 * {@code cols} as panels packed straight from the input ({@link Im2col#rows}, an implicit GEMM, all output rows in
 * one call, so the GEMM packs the weights once); backward lowers a tile of output rows at a time into a per-thread
 * column buffer that is grown once and reused by every convolution.
 *
 * <p>In an inference graph a following frozen batch norm (or {@link Scale}) and ReLU are applied by this layer
 * ({@link Epilogue}): the GEMM maps each tile of Y with them before storing it.
 *
 * <p>A 3×3 stride-1 forward that {@link WinogradConv#suits} (and {@link WinogradConv#pays} for the batch capacity the
 * graph planned: the choice is the node's, so an image's output does not depend on how many others share its batch
 * or its slice) is computed with Winograd's F(2×2, 3×3) instead (same epilogue; rounding as that class states): in
 * inference, and in training when this layer is frozen. A trainable layer's training forward keeps the direct
 * product, whose smaller rounding keeps finite-difference checks of the gradients through it as sharp as before; the
 * backward is always as above. A 1×7 or 7×1 stride-1 forward that {@link WinogradLineConv#suits} (and pays) is
 * computed, under the same rules, with the 1-D Winograd F(2, 7) along its line.
 *
 * <p>A forward with a window over an input of few channels ({@link DirectConvKernel#suits}: an RGB stem) is computed
 * directly from the input instead of by the GEMM, split over output rows, with the same fma chain per output (the same
 * bits; the epilogue likewise).
 */
public final class Conv2D extends Layer {
    /**
     * Floats of one column tile (1 MB: about an L2). A tile has at least {@link #MIN_TILE_ROWS} rows, because the
     * GEMM packs the weights once per tile: with fewer rows, wide kernels (Kc = 2592) spend more time packing.
     */
    private static final int TILE_FLOATS = 1 << 18;
    private static final int MIN_TILE_ROWS = 256;
    private static final ThreadLocal<float[][]> COLUMNS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    public final int kh, kw, strideH, strideW, cin, cout;
    public final Padding padding;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;
    /** The lowering; {@code null} for a 1×1 stride-1 convolution, which is a GEMM on the input itself. */
    private final Im2col im2col;
    /** The Winograd forward; {@code null} unless the shape {@link WinogradConv#suits}. */
    private final WinogradConv winograd;
    /** The 1-D Winograd forward of a 1×7 or 7×1 kernel; {@code null} unless the shape {@link WinogradLineConv#suits}. */
    private final WinogradLineConv winogradLine;

    public Conv2D(String name, Layer in, int filters, int kh, int kw, int strideH, int strideW, Padding padding, boolean useBias) {
        super(name, new int[] {
                padding.outSize(in.outputShape()[0], kh, strideH),
                padding.outSize(in.outputShape()[1], kw, strideW), filters}, in);
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
        this.cin = in.outputShape()[2];
        this.cout = filters;
        this.padding = padding;
        this.kernel = Param.trainable(name + "/kernel", kh, kw, cin, cout);
        this.bias = useBias ? Param.trainable(name + "/bias", cout) : null;
        int h = in.outputShape()[0], w = in.outputShape()[1];
        boolean pointwise = kh == 1 && kw == 1 && strideH == 1 && strideW == 1;
        this.im2col = pointwise ? null : new Im2col(h, w, cin, kh, kw, strideH, strideW,
                padding.padBefore(h, kh, strideH), padding.padBefore(w, kw, strideW), outputShape()[0], outputShape()[1]);
        this.winograd = WinogradConv.suits(kh, kw, strideH, strideW, cin, cout) ? new WinogradConv(h, w, cin, cout,
                padding.padBefore(h, kh, strideH), padding.padBefore(w, kw, strideW), outputShape()[0], outputShape()[1]) : null;
        this.winogradLine = WinogradLineConv.suits(kh, kw, strideH, strideW, cin, cout) ? new WinogradLineConv(kh == 7, h, w,
                cin, cout, padding.padBefore(h, kh, strideH), padding.padBefore(w, kw, strideW), outputShape()[0], outputShape()[1]) : null;
    }

    /** Output pixels per column tile. */
    private int tileRows() {
        return Math.max(MIN_TILE_ROWS, TILE_FLOATS / (kh * kw * cin));
    }

    /** This thread's column buffer, grown (once) to hold a tile of {@code rows} rows. */
    private float[] columns(int rows) {
        float[][] holder = COLUMNS.get();
        int size = rows * kh * kw * cin;
        if (holder[0].length < size) holder[0] = new float[size];
        return holder[0];
    }

    /**
     * A node's scratch: the fused {@link Epilogue} ({@code null} when none), and whether Winograd (2-D or along a line,
     * whichever suits the shape) pays at its capacity.
     */
    private record State(Epilogue epilogue, boolean winograd) { }

    /** Grows this thread's column buffer for the largest tile; decides the node's {@link State}. */
    @Override protected Object newState(Node node, int batchCapacity) {
        if (im2col != null) columns(Math.min(tileRows(), batchCapacity * outputSize() / cout));
        boolean pays = winograd != null && winograd.pays(batchCapacity) || winogradLine != null && winogradLine.pays(batchCapacity);
        return new State(Epilogue.of(cout, node.fusedAfter()), pays);
    }

    @Override public void forward(Node node, boolean training) {
        State state = (State) node.state();
        Epilogue e = state.epilogue();
        float[] x = node.in(0).data, y = node.out().data, w = kernel.value.data;
        if (state.winograd() && (!training || !isTrainable())) {
            if (e != null) e.prepare();
            float[] b = bias == null ? null : bias.value.data;
            ColumnMap map = e == null ? null : e.map();
            if (winograd != null) winograd.forward(x, node.batch(), w, b, map, y);
            else winogradLine.forward(x, node.batch(), w, b, map, y);
            return;
        }
        if (im2col != null && DirectConvKernel.suits(cin)) {
            if (e != null) e.prepare();
            float[] b = bias == null ? null : bias.value.data;
            ColumnMap map = e == null ? null : e.map();
            Parallel.forRange(node.batch() * im2col.outH(), (r0, r1) -> DIRECT_CONV.forward(im2col, cout, x, w, b, map, y, r0, r1));
            return;
        }
        int rows = node.batch() * outputSize() / cout;
        boolean hasBias = bias != null; // Y starts as the broadcast bias and the GEMMs accumulate onto it
        if (hasBias) MatrixRows.broadcast(bias.value.data, rows, cout, y);
        if (e != null) e.prepare();
        ColumnMap map = e == null ? null : e.map();
        if (im2col == null) {
            GEMM.gemm(false, false, rows, cout, cin, x, 0, cin, w, 0, cout, y, 0, cout, hasBias, map);
            return;
        }
        GEMM.gemm(rows, cout, im2col.columns(), im2col.rows(x, 0), w, 0, cout, y, 0, cout, hasBias, map);
    }

    @Override protected boolean canFuse(List<Layer> fusedSoFar, Layer next) {
        return Epilogue.accepts(fusedSoFar, cout, next);
    }

    @Override public void backward(Node node) {
        float[] x = node.in(0).data, dy = node.grad().data, w = kernel.value.data;
        float[] dx = node.inGrad(0) == null ? null : node.inGrad(0).data;
        boolean add = dx != null && node.addsToInGrad(0);
        boolean trainable = isTrainable();
        int rows = node.batch() * outputSize() / cout;
        if (trainable && bias != null) MatrixRows.sumRows(dy, rows, cout, bias.grad.data);
        if (im2col == null) {
            GEMM.pointwiseBackward(rows, cin, cout, x, dy, w, trainable ? kernel.grad.data : null, dx, add);
            return;
        }
        if (!trainable && dx == null) return;
        if (dx != null && !add) node.inGrad(0).zero(); // col2im adds each window's share
        int kc = im2col.columns(), tile = tileRows();
        float[] cols = columns(Math.min(tile, rows));
        for (int from = 0; from < rows; from += tile) {
            int to = Math.min(rows, from + tile);
            if (trainable) { // dW (+)= cols_tileᵀ · dY_tile, the first tile overwrites
                im2col.gather(x, from, to, cols);
                GEMM.gemm(true, false, kc, cout, to - from, cols, 0, kc, dy, from * cout, cout, kernel.grad.data, 0, cout, from > 0);
            }
            if (dx != null) { // dcols = dY_tile · Wᵀ (reusing the column buffer), then dX += col2im(dcols)
                GEMM.gemm(false, true, to - from, kc, cout, dy, from * cout, cout, w, 0, cout, cols, 0, kc, false);
                im2col.scatterAdd(cols, from, to, dx);
            }
        }
    }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) outputSize() * kh * kw * cin; }
}
