package slice.engine.kernels;

import static slice.engine.kernels.Kernels.WINOGRAD_5X5;

/**
 * A 5×5 stride-1 convolution, NHWC, computed with Winograd's F(2×2, 5×5) ({@link Winograd5x5Kernel} states the math):
 * input {@code [N, h, w, Cin]}, kernel {@code [5, 5, Cin, Cout]}, output {@code [N, outH, outW, Cout]}, output pixel
 * {@code (oy, ox)} reading input pixels {@code (oy − padTop + ky, ox − padLeft + kx)} (zero outside). The output is cut
 * into {@code tilesH × tilesW} tiles of 2×2 pixels per image; tile {@code t = (n·tilesH + ty)·tilesW + tx} reads the
 * 6×6 input pixels from {@code (2ty − padTop, 2tx − padLeft)}.
 *
 * <p>A forward call is {@link WinogradConv}'s ({@link WinogradBlocks}) with 36 positions ξ instead of 16: the kernel
 * transform (or one the caller kept, {@link #forwardTransformed}), then blocks of tiles — input transform, the 36 GEMMs
 * {@code M_ξ = V_ξ·U_ξ}, output transform with bias and {@link ColumnMap} — split over threads; results are
 * bit-identical for any thread count. Forward only: a trainable layer's training pass and its gradients are the
 * direct products ({@code Conv2D}).
 *
 * <h2>Rounding</h2>
 * Held by the tests to {@code |y − y_exact| ≤ 2⁻¹⁹ · S}, with {@code S = Σ_{ky,kx,c} |x|·|k|} the output's sum of
 * absolute products: twice {@link WinogradConv}'s bound. The transforms' coefficients (up to 5 in Bᵀ, 25 in the 2-D
 * {@code Bᵀ d B}; 2 in Aᵀ; −1/6 and 1/24 rounded in G) make its rounding larger than F(2×2, 3×3)'s, and all four
 * outputs of a tile share its 36 sums, so an output that reads much padding carries the rounding of its neighbours'
 * larger sums. Measured on the tests' shapes: up to {@code 1.66 · 2⁻²⁰ · S} with 3 input channels, {@code 1.30 · 2⁻²⁰ · S}
 * with 16 on a map of 4 rows ('same': a tile is a third padding), {@code 0.74 · 2⁻²⁰ · S} on InceptionV3's 35×35 map,
 * 48 → 64 channels.
 *
 * <h2>When it is used</h2>
 * {@link #suits}: a 5×5 stride-1 kernel with at least {@value #MIN_CHANNELS} input and output channels; {@link #pays}:
 * at least {@value #MIN_TILES} tiles over the batch, one 35×35 image (InceptionV3's three 5×5 layers, 48 → 64 channels,
 * measured faster from there; smaller batches of tiles were not measured).
 */
public final class Winograd5x5Conv extends Winograd2x2Tiles implements WinogradForward {
    /** Channels (in and out) below which the direct convolution is used. */
    public static final int MIN_CHANNELS = 16;
    /** Tiles in the batch below which the direct convolution is used. */
    public static final int MIN_TILES = 324;
    /** Positions ξ of the transforms: the 6×6 input pixels under a tile. */
    static final int POINTS = 36;

    public Winograd5x5Conv(int h, int w, int cin, int cout, int padTop, int padLeft, int outH, int outW) {
        super(h, w, cin, cout, padTop, padLeft, outH, outW);
    }

    @Override int window() {
        return 6;
    }

    /** Whether a convolution of this shape is computed here (see the class comment). */
    public static boolean suits(int kh, int kw, int strideH, int strideW, int cin, int cout) {
        return kh == 5 && kw == 5 && strideH == 1 && strideW == 1 && cin >= MIN_CHANNELS && cout >= MIN_CHANNELS;
    }

    /** Whether a batch of {@code batch} images is computed here (see the class comment). */
    @Override public boolean pays(int batch) {
        return batch * tilesH * tilesW >= MIN_TILES;
    }

    /** Tiles per block of {@link WinogradBlocks}. */
    int blockTiles() {
        return WinogradBlocks.blockTiles(POINTS, cin, cout);
    }

    @Override public int transformedKernelSize() {
        return POINTS * cin * cout;
    }

    /** {@code u = U} ({@link Winograd5x5Kernel#transformKernel}), input channels split over threads. */
    @Override public void transformKernel(float[] kernel, float[] u) {
        WinogradBlocks.transformKernel(cin, (c0, c1, out) -> WINOGRAD_5X5.transformKernel(kernel, cin, cout, c0, c1, out), u);
    }

    /** The kernel is transformed into this thread's buffer first ({@link #forwardTransformed} takes a kept transform). */
    @Override public void forward(float[] x, int batch, float[] kernel, float[] bias, ColumnMap map, float[] y) {
        float[] u = WinogradBlocks.kernelBuffer(transformedKernelSize());
        transformKernel(kernel, u);
        forwardTransformed(x, batch, u, bias, map, y);
    }

    @Override public void forwardTransformed(float[] x, int batch, float[] u, float[] bias, ColumnMap map, float[] y) {
        WinogradBlocks.forward(POINTS, cin, cout, batch * tilesH * tilesW, u,
                (t0, t1, v, off, vPlane) -> WINOGRAD_5X5.transformInput(this, x, t0, t1, v, off, vPlane),
                (m, t0, t1, mPlane) -> WINOGRAD_5X5.transformOutput(this, m, t0, t1, mPlane, bias, map, y));
    }
}
