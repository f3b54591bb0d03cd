package slice.engine.layers;

import static slice.engine.kernels.Kernels.ADD;
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
import slice.engine.kernels.RowSource;
import slice.engine.kernels.Winograd5x5Conv;
import slice.engine.kernels.WinogradConv;
import slice.engine.kernels.WinogradForward;
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
 * product, whose smaller rounding keeps finite-difference checks of the gradients through it as sharp as before. A
 * 1×7 or 7×1 (1×3 or 3×1) stride-1 forward that {@link WinogradLineConv#suits} (and pays) is computed, under the
 * same rules, with the 1-D Winograd F(2, 7) (F(2, 3)) along its line, and a 5×5 one that {@link Winograd5x5Conv#suits}
 * (and pays) with F(2×2, 5×5); F(2, 3), whose coefficients are exact and whose rounding is no larger than the direct
 * product's ({@link WinogradLineConv#exactTransforms}), computes a trainable layer's training forward too. The
 * kernel's transform ({@code 16·Cin·Cout}, {@code 8·Cin·Cout}, {@code 4·Cin·Cout} or {@code 36·Cin·Cout} floats) is
 * made once per {@link Node#pass}: a node that runs several slices of a batch in a pass
 * keeps it for them.
 *
 * <p>The input gradient of such a layer (when the gradient's own convolution pays at the node's capacity) is itself
 * a stride-1 convolution, of {@code dY} with the kernel turned by 180° and its channel axes swapped, and is computed
 * by the same Winograd product (rounding as that class states, with {@code S = Σ|dY|·|K|} over the gradient's terms;
 * an added gradient is computed apart, then added). Its kernel gradient, where the forward's Winograd pays, is
 * {@link WinogradConv#kernelGradient} or {@link WinogradLineConv#kernelGradient} (rounding as stated there);
 * {@code db} is always as above. A 5×5 layer's gradients are the direct products (F(2×2, 5×5) is used forward only).
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
    /** This thread's buffers for a Winograd input gradient: the flipped kernel, and ∂L/∂X before it is added. */
    private static final ThreadLocal<float[][]> GRADIENT = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});
    /** Rows and columns of the blocks in which {@link #flippedKernel} transposes each tap. */
    private static final int TRANSPOSE_BLOCK = 32;

    public final int kh, kw, strideH, strideW, cin, cout;
    public final Padding padding;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;
    /** The lowering; {@code null} for a 1×1 stride-1 convolution, which is a GEMM on the input itself. */
    private final Im2col im2col;
    /** The Winograd forward; {@code null} unless the shape {@link WinogradConv#suits}. */
    private final WinogradConv winograd;
    /** The 1-D Winograd forward of a 1×r or r×1 kernel; {@code null} unless the shape {@link WinogradLineConv#suits}. */
    private final WinogradLineConv winogradLine;
    /** The F(2×2, 5×5) forward of a 5×5 kernel (no gradients); {@code null} unless the shape {@link Winograd5x5Conv#suits}. */
    private final Winograd5x5Conv winograd5x5;
    /**
     * The input gradient as a Winograd convolution of ∂L/∂Y with the {@link #flippedKernel} (Cout channels in, Cin
     * out, padded {@code k − 1 − pad} before); {@code null} unless {@link #winograd} or {@link #winogradLine} is set.
     */
    private final WinogradConv winogradGrad;
    private final WinogradLineConv winogradLineGrad;

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
        int h = in.outputShape()[0], w = in.outputShape()[1], oh = outputShape()[0], ow = outputShape()[1];
        int pt = padding.padBefore(h, kh, strideH), pl = padding.padBefore(w, kw, strideW);
        boolean pointwise = kh == 1 && kw == 1 && strideH == 1 && strideW == 1;
        this.im2col = pointwise ? null : new Im2col(h, w, cin, kh, kw, strideH, strideW, pt, pl, oh, ow);
        boolean square = WinogradConv.suits(kh, kw, strideH, strideW, cin, cout);
        boolean line = WinogradLineConv.suits(kh, kw, strideH, strideW, cin, cout);
        this.winograd = square ? new WinogradConv(h, w, cin, cout, pt, pl, oh, ow) : null;
        this.winogradGrad = square ? new WinogradConv(oh, ow, cout, cin, kh - 1 - pt, kw - 1 - pl, h, w) : null;
        int taps = Math.max(kh, kw);
        this.winogradLine = line ? new WinogradLineConv(taps, kh > 1, h, w, cin, cout, pt, pl, oh, ow) : null;
        this.winogradLineGrad = line
                ? new WinogradLineConv(taps, kh > 1, oh, ow, cout, cin, kh - 1 - pt, kw - 1 - pl, h, w) : null;
        this.winograd5x5 = Winograd5x5Conv.suits(kh, kw, strideH, strideW, cin, cout)
                ? new Winograd5x5Conv(h, w, cin, cout, pt, pl, oh, ow) : null;
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
     * A node's scratch: the fused {@link Epilogue} ({@code null} when none), whether Winograd (2-D or along a line,
     * whichever suits the shape) pays at its capacity for the forward and for the input gradient, and the forward's
     * kept kernel transform ({@link #winogradForward}).
     */
    private static final class State {
        final Epilogue epilogue;
        final boolean winograd, winogradGrad;
        /** The kernel's Winograd transform once kept ({@link #winogradForward}), made in {@link #transformedPass}. */
        float[] transformed;
        long transformedPass = -1;
        /** The pass of the last Winograd forward. */
        long lastPass = -1;

        State(Epilogue epilogue, boolean winograd, boolean winogradGrad) {
            this.epilogue = epilogue;
            this.winograd = winograd;
            this.winogradGrad = winogradGrad;
        }
    }

    /** Grows this thread's column buffer for the largest tile; decides the node's {@link State}. */
    @Override protected Object newState(Node node, int batchCapacity) {
        if (im2col != null) columns(Math.min(tileRows(), batchCapacity * outputSize() / cout));
        WinogradForward forward = winogradOfShape();
        boolean pays = forward != null && forward.pays(batchCapacity);
        boolean gradPays = winogradGrad != null && winogradGrad.pays(batchCapacity)
                || winogradLineGrad != null && winogradLineGrad.pays(batchCapacity);
        return new State(Epilogue.of(cout, node.fusedAfter()), pays, gradPays);
    }

    @Override public void forward(Node node, boolean training) {
        State state = (State) node.state();
        Epilogue e = state.epilogue;
        float[] x = node.in(0).data, y = node.out().data, w = kernel.value.data;
        if (state.winograd && (!training || !isTrainable() || winogradLine != null && winogradLine.exactTransforms())) {
            if (e != null) e.prepare();
            float[] b = bias == null ? null : bias.value.data;
            ColumnMap map = e == null ? null : e.map();
            winogradForward(node, state, x, w, b, map, y);
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

    /**
     * {@code y = map(conv(x, w) + b)} by Winograd. A node that runs more than once in a {@link Node#pass} (the slices
     * of an inference plan's batch) keeps the kernel's transform in its state from its second forward on, made at the
     * first forward of each pass and read by the others (the weights do not change within a pass); a node that runs
     * once per pass transforms the kernel into the thread's buffer every time, and holds no copy.
     */
    private void winogradForward(Node node, State state, float[] x, float[] w, float[] b, ColumnMap map, float[] y) {
        long pass = node.pass();
        boolean again = state.lastPass == pass;
        state.lastPass = pass;
        WinogradForward forward = winogradOfShape();
        if (state.transformed == null && !again) {
            forward.forward(x, node.batch(), w, b, map, y);
            return;
        }
        if (state.transformed == null) state.transformed = new float[forward.transformedKernelSize()];
        if (state.transformedPass != pass) {
            forward.transformKernel(w, state.transformed);
            state.transformedPass = pass;
        }
        forward.forwardTransformed(x, node.batch(), state.transformed, b, map, y);
    }

    /** The Winograd forward that suits this layer's shape, or {@code null}. */
    private WinogradForward winogradOfShape() {
        return winograd != null ? winograd : winogradLine != null ? winogradLine : winograd5x5;
    }

    @Override protected boolean canFuse(List<Layer> fusedSoFar, Layer next) {
        return Epilogue.accepts(fusedSoFar, cout, next);
    }

    @Override public void backward(Node node) {
        // a deferred ∂L/∂y (a batch norm after this layer, Node.deferInGrad) is read as rows by the 1×1 backward
        RowSource dyRows = im2col == null && bias == null ? node.gradRows() : null;
        float[] x = node.in(0).data, dy = node.grad().data, w = kernel.value.data;
        float[] dx = node.inGrad(0) == null ? null : node.inGrad(0).data;
        boolean add = dx != null && node.addsToInGrad(0);
        boolean trainable = isTrainable();
        int rows = node.batch() * outputSize() / cout;
        if (trainable && bias != null) MatrixRows.sumRows(dy, rows, cout, bias.grad.data);
        if (im2col == null) {
            GEMM.pointwiseBackward(rows, cin, cout, x, dy, dyRows, w, trainable ? kernel.grad.data : null, dx, add);
            return;
        }
        State state = (State) node.state();
        if (dx != null && state.winogradGrad) {
            inputGradientByWinograd(node.batch(), dy, w, dx, add);
            dx = null; // done
        }
        boolean dwLeft = trainable;
        if (trainable && state.winograd && (winograd != null || winogradLine != null)) { // F(2×2, 5×5) has no dW
            if (winograd != null) winograd.kernelGradient(x, dy, node.batch(), kernel.grad.data);
            else winogradLine.kernelGradient(x, dy, node.batch(), kernel.grad.data);
            dwLeft = false;
        }
        if (!dwLeft && dx == null) return;
        if (dx != null && !add) node.inGrad(0).zero(); // col2im adds each window's share
        int kc = im2col.columns(), tile = tileRows();
        float[] cols = columns(Math.min(tile, rows));
        for (int from = 0; from < rows; from += tile) {
            int to = Math.min(rows, from + tile);
            if (dwLeft) { // dW (+)= cols_tileᵀ · dY_tile, the first tile overwrites
                im2col.gather(x, from, to, cols);
                GEMM.gemm(true, false, kc, cout, to - from, cols, 0, kc, dy, from * cout, cout, kernel.grad.data, 0, cout, from > 0);
            }
            if (dx != null) { // dcols = dY_tile · Wᵀ (reusing the column buffer), then dX += col2im(dcols)
                GEMM.gemm(false, true, to - from, kc, cout, dy, from * cout, cout, w, 0, cout, cols, 0, kc, false);
                im2col.scatterAdd(cols, from, to, dx);
            }
        }
    }

    /**
     * {@code dX (+)= conv(dY, K')} by Winograd, where {@code K'} is the {@link #flippedKernel}: the input gradient of a
     * stride-1 convolution, {@code dX[n,iy,ix,c] = Σ_{ky,kx,o} dY[n, iy + pt − ky, ix + pl − kx, o]·K[ky,kx,c,o]}, is
     * with {@code ky' = kh − 1 − ky} the stride-1 convolution of {@code dY} padded {@code kh − 1 − pt} before (likewise
     * along x) with {@code K'[ky',kx',o,c] = K[kh − 1 − ky', kw − 1 − kx', c, o]}. Rounding as {@link WinogradConv} or
     * {@link WinogradLineConv} states, with {@code S = Σ |dY|·|K|} over the gradient's terms.
     */
    private void inputGradientByWinograd(int batch, float[] dy, float[] w, float[] dx, boolean add) {
        float[][] held = GRADIENT.get();
        float[] flipped = flippedKernel(w, held);
        int size = batch * inputs[0].outputSize();
        if (add && held[1].length < size) held[1] = new float[size];
        float[] out = add ? held[1] : dx;
        if (winogradGrad != null) winogradGrad.forward(dy, batch, flipped, null, null, out);
        else winogradLineGrad.forward(dy, batch, flipped, null, null, out);
        if (add) Parallel.forRange(size, 1 << 14, (i0, i1) -> ADD.addInto(out, i0, dx, i0, i1 - i0));
    }

    /**
     * {@code K'[t][o][c] = K[kh·kw − 1 − t][c][o]} for taps {@code t = ky·kw + kx} (the kernel turned by 180° and its
     * channel axes swapped), in {@code held[0]}, grown once; each tap's {@code Cin × Cout} matrix is transposed in
     * blocks of {@value #TRANSPOSE_BLOCK}, the strips of {@value #TRANSPOSE_BLOCK} input channels of all taps split
     * over threads (taps alone would split a 3×3 kernel 4 taps against 5 on two threads).
     */
    private float[] flippedKernel(float[] w, float[][] held) {
        int taps = kh * kw, plane = cin * cout, strips = (cin + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK;
        if (held[0].length < taps * plane) held[0] = new float[taps * plane];
        float[] f = held[0];
        Parallel.forRange(taps * strips, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                int t = s / strips, c0 = s % strips * TRANSPOSE_BLOCK;
                int from = (taps - 1 - t) * plane, to = t * plane;
                for (int o0 = 0; o0 < cout; o0 += TRANSPOSE_BLOCK) {
                    for (int c = c0; c < Math.min(cin, c0 + TRANSPOSE_BLOCK); c++) {
                        for (int o = o0; o < Math.min(cout, o0 + TRANSPOSE_BLOCK); o++) {
                            f[to + o * cin + c] = w[from + c * cout + o];
                        }
                    }
                }
            }
        });
        return f;
    }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) outputSize() * kh * kw * cin; }
}
