package slice.engine.kernels;

/**
 * Shapes of a per-channel sliding window on NHWC tensors — a depthwise convolution or a pooling: input
 * {@code [N, h, w, channels]}, window {@code kh × kw} (a depthwise kernel is {@code [kh, kw, channels]}, Keras'
 * {@code [kh, kw, C, 1]}; flat index {@code (ky·kw + kx)·C + c}), output {@code [N, outH, outW, channels]}. Output
 * pixel {@code (oy, ox)} reads input pixel {@code (oy·stride − padTop + ky, ox·stride − padLeft + kx)}; taps that fall
 * outside the input are padding (zero for a convolution, skipped by pooling).
 *
 * <p>Built once per layer, with the index tables the gradients need, so the kernels allocate nothing but a
 * window-sized list of cells per call.
 */
public final class WindowGeometry {
    public final int h, w, channels, kh, kw, stride, padTop, padLeft, outH, outW;
    /** For each input row {@code iy}: the taps {@code ky} and output rows that read it (input gradient). */
    public final TapRun[] rowTaps;
    /** For each input column {@code ix}: the taps {@code kx} and output columns that read it. */
    public final TapRun[] colTaps;
    /** For each tap column {@code kx}: the output columns whose tap {@code kx} reads a real input column. */
    public final OutRange[] colRanges;

    public WindowGeometry(int h, int w, int channels, int kh, int kw, int stride, int padTop, int padLeft, int outH, int outW) {
        this.h = h;
        this.w = w;
        this.channels = channels;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.outH = outH;
        this.outW = outW;
        rowTaps = new TapRun[h];
        for (int iy = 0; iy < h; iy++) rowTaps[iy] = TapRun.of(iy + padTop, stride, kh, outH);
        colTaps = new TapRun[w];
        for (int ix = 0; ix < w; ix++) colTaps[ix] = TapRun.of(ix + padLeft, stride, kw, outW);
        colRanges = new OutRange[kw];
        for (int kx = 0; kx < kw; kx++) colRanges[kx] = OutRange.of(kx - padLeft, stride, w, outW);
    }

    /**
     * Fills {@code cells} with the flat input index (channel 0) of each real cell of the window of output pixel
     * {@code (oy, ox)} of image {@code n}, {@code r = n·outH + oy}, in (ky, kx) order; returns how many there are.
     */
    public int windowCells(int r, int ox, int[] cells) {
        int n = r / outH, iy0 = (r % outH) * stride - padTop, ix0 = ox * stride - padLeft;
        int kxLo = firstTap(ix0), kxHi = endTap(ix0, w, kw), taps = 0;
        for (int ky = firstTap(iy0); ky < endTap(iy0, h, kh); ky++) {
            for (int kx = kxLo; kx < kxHi; kx++) cells[taps++] = ((n * h + iy0 + ky) * w + ix0 + kx) * channels;
        }
        return taps;
    }

    /** First tap index {@code k} whose input coordinate {@code origin + k} is ≥ 0. */
    public static int firstTap(int origin) { return Math.max(0, -origin); }

    /** One past the last tap index whose input coordinate {@code origin + k} is < {@code size}. */
    public static int endTap(int origin, int size, int taps) { return Math.min(taps, size - origin); }
}
