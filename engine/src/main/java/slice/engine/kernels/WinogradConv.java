package slice.engine.kernels;

import static slice.engine.kernels.Kernels.WINOGRAD;

/**
 * A 3×3 stride-1 convolution, NHWC, computed with Winograd's F(2×2, 3×3) ({@link WinogradKernel} states the math):
 * input {@code [N, h, w, Cin]}, kernel {@code [3, 3, Cin, Cout]}, output {@code [N, outH, outW, Cout]}, output pixel
 * {@code (oy, ox)} reading input pixels {@code (oy − padTop + ky, ox − padLeft + kx)} (zero outside).
 * The output is cut into {@code tilesH × tilesW} tiles of 2×2 pixels per image; tile
 * {@code t = (n·tilesH + ty)·tilesW + tx} reads the 4×4 input pixels from {@code (2ty − padTop, 2tx − padLeft)}.
 *
 * <p>A forward call transforms the kernel ({@code 16·Cin·Cout} values against the GEMMs' {@code 16·tiles·Cin·Cout}
 * multiply-adds; {@link #forwardTransformed} takes a transform the caller kept while the weights stayed), then runs
 * blocks of tiles — input transform, the 16 GEMMs {@code M_ξ = V_ξ·U_ξ}, output transform with bias and {@link
 * ColumnMap} — each block's V and M sized for the L2 cache ({@link WinogradBlocks}, shared with {@link
 * WinogradLineConv}). Blocks are split over threads; each output depends only on its block, and the GEMM's sums are
 * fixed in order, so results are bit-identical for any thread count.
 *
 * <h2>Rounding</h2>
 * The transforms add and subtract inputs before the products and products after them, so an output differs from
 * the direct sum {@code Σ x·k} by more than its float rounding: the tests hold it to
 * {@code |y − y_exact| ≤ 2⁻²⁰ · S}, with {@code S = Σ_{ky,kx,c} |x|·|k|} the output's sum of absolute products
 * (the direct float sum's own bound is about {@code 9·Cin·2⁻²⁴·S}).
 *
 * <h2>When it is used</h2>
 * {@link #suits}: a 3×3 stride-1 kernel with at least {@value #MIN_CHANNELS} input and output channels. The
 * transforms are memory traffic the direct product does not have ({@code 16·Cin} values written per tile, read
 * back by the GEMM); with fewer channels they are a larger share of the work than the products they save.
 * {@link #pays}: at least {@value #MIN_TILES} tiles over the batch. The kernel transform writes 16 floats per weight
 * pair and the GEMMs read them back for every block, while each tile saves 20 multiply-adds per pair: with few tiles
 * and many weights (InceptionV3's 8×8 maps, 448 → 384 channels, are 16 tiles at batch 1) that traffic costs more than
 * the products saved. An inference slice of 3 images (48 tiles) is on the Winograd side of the line.
 */
public final class WinogradConv extends Winograd2x2Tiles implements WinogradForward {
    /** Channels (in and out) below which the direct convolution is used. */
    public static final int MIN_CHANNELS = 16;
    /** Tiles in the batch below which the direct convolution is used. */
    public static final int MIN_TILES = 48;

    public WinogradConv(int h, int w, int cin, int cout, int padTop, int padLeft, int outH, int outW) {
        super(h, w, cin, cout, padTop, padLeft, outH, outW);
    }

    @Override int window() {
        return 4;
    }

    /** Whether a convolution of this shape is computed here (see the class comment). */
    public static boolean suits(int kh, int kw, int strideH, int strideW, int cin, int cout) {
        return kh == 3 && kw == 3 && strideH == 1 && strideW == 1 && cin >= MIN_CHANNELS && cout >= MIN_CHANNELS;
    }

    /** Whether a batch of {@code batch} images is computed here (see the class comment). */
    @Override public boolean pays(int batch) {
        return batch * tilesH * tilesW >= MIN_TILES;
    }

    /** Tiles per block of {@link WinogradBlocks}. */
    int blockTiles() {
        return WinogradBlocks.blockTiles(16, cin, cout);
    }

    /** Floats of the kernel's transform {@code U} ({@link #transformKernel}). */
    @Override public int transformedKernelSize() {
        return 16 * cin * cout;
    }

    /**
     * {@code u = U}, the transform of {@code kernel} ({@link WinogradKernel#transformKernel}, {@link
     * #transformedKernelSize} floats), input channels split over threads.
     */
    @Override public void transformKernel(float[] kernel, float[] u) {
        WinogradBlocks.transformKernel(cin, (c0, c1, out) -> WINOGRAD.transformKernel(kernel, cin, cout, c0, c1, out), u);
    }

    /**
     * {@code y = map(conv(x, kernel) + bias)} for {@code batch} images; {@code bias} and {@code map} may be null. The
     * kernel is transformed into this thread's buffer first ({@link #forwardTransformed} takes a kept transform).
     */
    @Override public void forward(float[] x, int batch, float[] kernel, float[] bias, ColumnMap map, float[] y) {
        float[] u = WinogradBlocks.kernelBuffer(transformedKernelSize());
        transformKernel(kernel, u);
        forwardTransformed(x, batch, u, bias, map, y);
    }

    /** {@link #forward} with {@code u}, the kernel's {@link #transformKernel}, instead of the kernel. */
    @Override public void forwardTransformed(float[] x, int batch, float[] u, float[] bias, ColumnMap map, float[] y) {
        WinogradBlocks.forward(16, cin, cout, batch * tilesH * tilesW, u,
                (t0, t1, v, off, vPlane) -> WINOGRAD.transformInput(this, x, t0, t1, v, off, vPlane),
                (m, t0, t1, mPlane) -> WINOGRAD.transformOutput(this, m, t0, t1, mPlane, bias, map, y));
    }

    /**
     * {@code dW = ∂L/∂kernel} for input {@code x} and output gradient {@code dy} of {@code batch} images, overwriting
     * {@code dw} (Keras layout). With {@code Y = Aᵀ M A} per tile, {@code ∂L/∂M = A dY Aᵀ}, so
     * {@code ∂L/∂U[c,o] = Σ_tiles V[c] ⊙ (A dY[o] Aᵀ)}, 16 GEMMs over the tiles, and {@code dW = Gᵀ (∂L/∂U) G}
     * ({@link WinogradKernel} states the transforms; {@link WinogradBlocks#kernelGradient} runs them). Rounding: held
     * by the tests to {@code |dw − dw_exact| ≤ 2⁻²⁰ · S}, with {@code S} the largest sum of absolute products
     * {@code Σ |x|·|dy|} among the 9 taps of the weight's channel pair: {@code Gᵀ dU G} subtracts values of the size of
     * every tap's sum, so a tap with few terms (one that mostly reads padding) carries the rounding of its neighbours
     * (measured up to 0.24 of that bound, 3 to 396 tiles).
     */
    public void kernelGradient(float[] x, float[] dy, int batch, float[] dw) {
        WinogradBlocks.kernelGradient(16, cin, cout, batch * tilesH * tilesW,
                (t0, t1, v, off, vPlane) -> WINOGRAD.transformInput(this, x, t0, t1, v, off, vPlane),
                (t0, t1, z, off, zPlane) -> WINOGRAD.transformOutputGradient(this, dy, t0, t1, z, off, zPlane),
                (c0, c1, du) -> WINOGRAD.transformKernelGradient(du, cin, cout, c0, c1, dw));
    }
}
