package slice.engine.kernels;

/**
 * Where the tiles of a 2-D Winograd convolution F(2×2, r×r) sit, NHWC: input {@code [N, h, w, Cin]}, output
 * {@code [N, outH, outW, Cout]}, stride 1, {@code padTop}/{@code padLeft} zero pixels before the input. The output is
 * cut into {@code tilesH × tilesW} tiles of 2×2 pixels per image; tile {@code t = (n·tilesH + ty)·tilesW + tx} holds
 * output pixels {@code (2ty + r, 2tx + s)} and reads the {@code window × window} input pixels ({@code window = r + 1})
 * from {@code (2ty − padTop, 2tx − padLeft)}. Shared by {@link WinogradConv} (window 4) and {@link Winograd5x5Conv}
 * (window 6).
 */
public abstract class Winograd2x2Tiles {
    public final int h, w, cin, cout, padTop, padLeft, outH, outW, tilesH, tilesW;
    Winograd2x2Tiles(int h, int w, int cin, int cout, int padTop, int padLeft, int outH, int outW) {
        this.h = h;
        this.w = w;
        this.cin = cin;
        this.cout = cout;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.outH = outH;
        this.outW = outW;
        this.tilesH = (outH + 1) / 2;
        this.tilesW = (outW + 1) / 2;
    }

    /**
     * Input pixels along each side of a tile's window: the kernel's side + 1. A method each final subclass answers
     * with a constant, so that the loops of {@link #inputOffsets}, inlined into a kernel that knows its geometry's
     * class, have constant bounds.
     */
    abstract int window();

    /**
     * Fills {@code offsets[window·i + j]} with the flat index (channel 0) of input pixel {@code (i, j)} of tile
     * {@code t}, or −1 where it is outside the image.
     */
    public void inputOffsets(int t, int[] offsets) {
        int n = t / (tilesH * tilesW), ty = t / tilesW % tilesH, tx = t % tilesW;
        int iy0 = 2 * ty - padTop, ix0 = 2 * tx - padLeft, window = window();
        for (int i = 0; i < window; i++) {
            int iy = iy0 + i;
            for (int j = 0; j < window; j++) {
                int ix = ix0 + j;
                offsets[window * i + j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? ((n * h + iy) * w + ix) * cin : -1;
            }
        }
    }

    /**
     * Fills {@code offsets[2r + s]} with the flat index (channel 0) of output pixel {@code (r, s)} of tile {@code t},
     * or −1 where the tile is cut by the output's edge.
     */
    public void outputOffsets(int t, int[] offsets) {
        int n = t / (tilesH * tilesW), ty = t / tilesW % tilesH, tx = t % tilesW;
        for (int r = 0; r < 2; r++) {
            int oy = 2 * ty + r;
            for (int s = 0; s < 2; s++) {
                int ox = 2 * tx + s;
                offsets[2 * r + s] = oy < outH && ox < outW ? ((n * outH + oy) * outW + ox) * cout : -1;
            }
        }
    }
}
