package slice.engine.kernels;

import static slice.engine.kernels.Kernels.WINOGRAD_LINE;

/**
 * A 1×r or r×1 stride-1 convolution, r = {@link #taps} = 7 or 3, NHWC, computed with the 1-D Winograd F(2, r) along
 * its row or column ({@link WinogradLineKernel} states the math): input {@code [N, h, w, Cin]}, kernel
 * {@code [1, r, Cin, Cout]} or {@code [r, 1, Cin, Cout]} (both tap {@code j} of {@code (c, o)} at
 * {@code kernel[(j·Cin + c)·Cout + o]}), output {@code [N, outH, outW, Cout]}, output pixel {@code (oy, ox)} reading
 * input pixels {@code (oy − padTop + j, ox − padLeft)} (r×1, "vertical") or {@code (oy − padTop, ox − padLeft + j)}
 * (1×r), zero outside. The output is cut into {@code tilesH × tilesW} tiles of 2 pixels along the kernel's line per
 * image; tile {@code t = (n·tilesH + ty)·tilesW + tx} of a 1×r convolution holds output pixels {@code (ty, 2tx)} and
 * {@code (ty, 2tx + 1)} and reads the r + 1 input pixels from {@code (ty − padTop, 2tx − padLeft)} along the row (r×1:
 * the same along the column).
 *
 * <p>A forward call is {@link WinogradConv}'s ({@link WinogradBlocks}) with r + 1 positions ξ (8 or 4) instead of 16:
 * the kernel transform (or one the caller kept, {@link #forwardTransformed}), then blocks of tiles — input transform,
 * the r + 1 GEMMs {@code M_ξ = V_ξ·U_ξ}, output transform with bias and {@link ColumnMap} — split over threads; each
 * output depends only on its block and the GEMM's sums are fixed in order, so results are bit-identical for any
 * thread count. The kernel gradient ({@link #kernelGradient}) runs the same blocks the other way.
 *
 * <h2>Rounding</h2>
 * Held by the tests to the bound of {@link WinogradConv}, {@code |y − y_exact| ≤ 2⁻²⁰ · S} with {@code S = Σ_{j,c}
 * |x|·|k|} the output's sum of absolute products, for the shapes it is used on ({@value #MIN_CHANNELS} input channels
 * or more). F(2, 7)'s coefficients (up to 5.25 on the input, 64/90 on the kernel) make its rounding larger than
 * F(2×2, 3×3)'s; with fewer channels an output sums few products and can exceed that bound. F(2, 3)'s coefficients
 * are 1 and ½ (exact).
 *
 * <h2>When it is used</h2>
 * {@link #suits}: a 1×7, 7×1, 1×3 or 3×1 stride-1 kernel with at least {@value #MIN_CHANNELS} input and output
 * channels (the rounding bound above is asserted from there; with 16 channels F(2, 7) was measured faster than the
 * direct product at both vector widths); {@link #pays}: F(2, 7) at least {@value #MIN_TILES} tiles over the batch — an
 * 8×8 map at batch 1 measured faster, a 6×6 one (18 tiles) no faster (bench/RESULTS-issue13-changes.md); F(2, 3),
 * which saves a third of the products instead of three sevenths, at least {@value #MIN_TILES_3} tiles, an inference
 * slice of 3 images of an 8×8 map (InceptionV3's 1×3 and 3×1 layers; at 32 tiles, batch 1, it measured faster on one
 * thread but slower on two at 512 bits); the same
 * threshold decides a trainable F(2, 3) layer's training forward and both its gradients (the fine-tuning step measured
 * faster at 1024 tiles, batch 32; within a per cent of the direct products at 128 and 256). With fewer tiles
 * the kernel transform, r + 1 floats written per weight pair and read back by every block, costs what the products
 * save ({@link WinogradConv} gives the same reasons).
 */
public final class WinogradLineConv implements WinogradForward {
    /** Channels (in and out) below which the direct convolution is used. */
    public static final int MIN_CHANNELS = 16;
    /** Tiles in the batch below which the direct convolution is used, F(2, 7). */
    public static final int MIN_TILES = 32;
    /** Tiles in the batch below which the direct convolution is used, F(2, 3). */
    public static final int MIN_TILES_3 = 96;
    /** Taps of the kernel along its line, r: 7 or 3; the transforms have r + 1 positions. */
    public final int taps;
    public final int h, w, cin, cout, padTop, padLeft, outH, outW, tilesH, tilesW;
    /** An r×1 kernel (tiles run down a column); otherwise 1×r (along a row). */
    public final boolean vertical;
    /** Flat distance between neighbouring input pixels along the kernel's line, per channel. */
    private final int inStep, outStep;

    public WinogradLineConv(int taps, boolean vertical, int h, int w, int cin, int cout, int padTop, int padLeft, int outH,
                            int outW) {
        if (taps != 3 && taps != 7) throw new IllegalArgumentException("F(2, " + taps + ") is not written");
        this.taps = taps;
        this.vertical = vertical;
        this.h = h;
        this.w = w;
        this.cin = cin;
        this.cout = cout;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.outH = outH;
        this.outW = outW;
        this.tilesH = vertical ? (outH + 1) / 2 : outH;
        this.tilesW = vertical ? outW : (outW + 1) / 2;
        this.inStep = vertical ? w * cin : cin;
        this.outStep = vertical ? outW * cout : cout;
    }

    /** Whether a convolution of this shape is computed here (see the class comment). */
    public static boolean suits(int kh, int kw, int strideH, int strideW, int cin, int cout) {
        return (kh == 1 && (kw == 7 || kw == 3) || kw == 1 && (kh == 7 || kh == 3)) && strideH == 1 && strideW == 1
                && cin >= MIN_CHANNELS && cout >= MIN_CHANNELS;
    }

    /** Whether a batch of {@code batch} images is computed here (see the class comment). */
    @Override public boolean pays(int batch) {
        return batch * tilesH * tilesW >= (taps == 7 ? MIN_TILES : MIN_TILES_3);
    }

    /**
     * Whether every coefficient of the transforms is exact: F(2, 3)'s are 1 and ½, so its rounding is that of the
     * additions alone, no larger than the direct product's (its GEMMs sum Cin products, the direct one 3·Cin: measured
     * on 1×3 and 3×1 maps of 16 to 384 channels, at most 0.12 to 0.16 · 2⁻²⁰ · S against the direct 0.13 to 0.23, root
     * mean square 0.020 to 0.024 against 0.025 to 0.026); F(2, 7)'s (−2/9, 1/90, 5.25, …) are not.
     */
    public boolean exactTransforms() {
        return taps == 3;
    }

    /** Positions ξ of the transforms, {@code r + 1}: the input pixels under a tile. */
    public int points() {
        return taps + 1;
    }

    /**
     * Fills {@code offsets[j]} with the flat index (channel 0) of input pixel {@code j} (0 to r) of tile {@code t},
     * or −1 where it is outside the image.
     */
    public void inputOffsets(int t, int[] offsets) {
        int n = t / (tilesH * tilesW), ty = t / tilesW % tilesH, tx = t % tilesW;
        int iy0 = (vertical ? 2 * ty : ty) - padTop, ix0 = (vertical ? tx : 2 * tx) - padLeft;
        boolean crossOk = vertical ? ix0 >= 0 && ix0 < w : iy0 >= 0 && iy0 < h;
        int base = ((n * h + iy0) * w + ix0) * cin;
        for (int j = 0; j <= taps; j++) {
            int along = (vertical ? iy0 : ix0) + j;
            offsets[j] = crossOk && along >= 0 && along < (vertical ? h : w) ? base + j * inStep : -1;
        }
    }

    /**
     * Fills {@code offsets[s]} with the flat index (channel 0) of output pixel {@code s} (0 or 1) of tile {@code t},
     * or −1 where the tile is cut by the output's edge.
     */
    public void outputOffsets(int t, int[] offsets) {
        int n = t / (tilesH * tilesW), ty = t / tilesW % tilesH, tx = t % tilesW;
        int oy = vertical ? 2 * ty : ty, ox = vertical ? tx : 2 * tx, base = ((n * outH + oy) * outW + ox) * cout;
        for (int s = 0; s < 2; s++) {
            offsets[s] = (vertical ? oy : ox) + s < (vertical ? outH : outW) ? base + s * outStep : -1;
        }
    }

    /** Tiles per block of {@link WinogradBlocks}. */
    int blockTiles() {
        return WinogradBlocks.blockTiles(points(), cin, cout);
    }

    /** Floats of the kernel's transform {@code U} ({@link #transformKernel}). */
    @Override public int transformedKernelSize() {
        return points() * cin * cout;
    }

    /**
     * {@code u = U}, the transform of {@code kernel} ({@link WinogradLineKernel#transformKernel}, {@link
     * #transformedKernelSize} floats), input channels split over threads.
     */
    @Override public void transformKernel(float[] kernel, float[] u) {
        WinogradBlocks.transformKernel(cin, (c0, c1, out) -> WINOGRAD_LINE.transformKernel(taps, kernel, cin, cout, c0, c1, out),
                u);
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
        WinogradBlocks.forward(points(), cin, cout, batch * tilesH * tilesW, u,
                (t0, t1, v, off, vPlane) -> WINOGRAD_LINE.transformInput(this, x, t0, t1, v, off, vPlane),
                (m, t0, t1, mPlane) -> WINOGRAD_LINE.transformOutput(this, m, t0, t1, mPlane, bias, map, y));
    }

    /**
     * {@code dW = ∂L/∂kernel} for input {@code x} and output gradient {@code dy} of {@code batch} images, overwriting
     * {@code dw}: with {@code y = Aᵀ M} per tile, {@code ∂L/∂M = A dy}, so {@code ∂L/∂U[c,o] = Σ_tiles V[c] ⊙ (A dy[o])},
     * r + 1 GEMMs over the tiles, and {@code dW = Gᵀ (∂L/∂U)} ({@link WinogradLineKernel} states the transforms,
     * {@link WinogradBlocks#kernelGradient} runs them). Rounding: held by the tests to {@code |dw − dw_exact| ≤ 2⁻¹⁸ · S}
     * (F(2, 3): {@code 2⁻²¹ · S}), with {@code S} the largest sum of absolute products {@code Σ |x|·|dy|} among the r
     * taps of the weight's channel pair: as in {@link WinogradConv#kernelGradient}, a tap with few terms carries its
     * neighbours' rounding. F(2, 7)'s larger coefficients (up to 5.25 in V, 2 in Z, 64/90 in Gᵀ) make it larger than
     * F(2×2, 3×3)'s (measured up to 1.15 · 2⁻²⁰ · S, 3 to 306 tiles); F(2, 3)'s, all exact (1 and ½), smaller
     * (measured up to 0.18 · 2⁻²⁰ · S, 3 to 306 tiles, Cin or Cout up to 384).
     */
    public void kernelGradient(float[] x, float[] dy, int batch, float[] dw) {
        WinogradBlocks.kernelGradient(points(), cin, cout, batch * tilesH * tilesW,
                (t0, t1, v, off, vPlane) -> WINOGRAD_LINE.transformInput(this, x, t0, t1, v, off, vPlane),
                (t0, t1, z, off, zPlane) -> WINOGRAD_LINE.transformOutputGradient(this, dy, t0, t1, z, off, zPlane),
                (c0, c1, du) -> WINOGRAD_LINE.transformKernelGradient(taps, du, cin, cout, c0, c1, dw));
    }
}
