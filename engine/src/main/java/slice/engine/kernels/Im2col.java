package slice.engine.kernels;

import slice.engine.Parallel;

/**
 * Lowers a convolution to a GEMM: rows of the "column" matrix are output pixels, columns are the receptive field.
 *
 * <p>For an NHWC input {@code [N, H, W, Cin]}, a {@code kh × kw} window with strides {@code (sh, sw)} and top/left
 * padding {@code (pt, pl)}, output pixel {@code r = (n·Ho + oy)·Wo + ox} has the row
 * {@code cols[r][(ky·kw + kx)·Cin + c] = x[n, oy·sh − pt + ky, ox·sw − pl + kx, c]} (zero outside the image).
 * Its {@code Kc = kh·kw·Cin} columns are ordered like the rows of the Keras kernel {@code [kh, kw, Cin, Cout]} seen
 * as a {@code [Kc, Cout]} matrix, so {@code Y = cols · W}. Rows are produced in tiles {@code [from, to)} so the
 * column buffer stays small, or packed straight from the input as a GEMM reads them ({@link #rows}; a panel of
 * rows whose windows all lie inside the image the GEMM may read in place, a window row at a time).
 * {@link #scatterAdd} is the adjoint (col2im): it adds a column-matrix gradient back
 * into {@code dX}.
 */
public record Im2col(int h, int w, int cin, int kh, int kw, int strideH, int strideW, int padTop, int padLeft,
                     int outH, int outW) {

    /** Columns of the GEMM matrix: {@code kh·kw·Cin}. */
    public int columns() { return kh * kw * cin; }

    /**
     * Fills {@code cols[(r − from)·Kc + …]} for output pixels {@code r ∈ [from, to)}; rows split across threads.
     * In NHWC the {@code kw} taps of one window row are {@code kw·Cin} contiguous floats, copied as one run when the
     * window row lies inside the image (tap by tap at the borders): with an RGB input that is 9 floats, not 3 runs of 3.
     */
    public void gather(float[] x, int from, int to, float[] cols) {
        int kc = columns(), run = kw * cin;
        Parallel.forRange(to - from, 64, (r0, r1) -> {
            for (int r = from + r0; r < from + r1; r++) {
                int ox = r % outW, oy = r / outW % outH, n = r / (outW * outH);
                int ix0 = ox * strideW - padLeft, dst = (r - from) * kc;
                boolean rowInside = ix0 >= 0 && ix0 + kw <= w;
                for (int ky = 0; ky < kh; ky++, dst += run) {
                    int iy = oy * strideH - padTop + ky;
                    if (iy < 0 || iy >= h) {
                        for (int j = 0; j < run; j++) cols[dst + j] = 0f;
                    } else if (rowInside) {
                        int src = ((n * h + iy) * w + ix0) * cin;
                        for (int j = 0; j < run; j++) cols[dst + j] = x[src + j];
                    } else {
                        for (int kx = 0; kx < kw; kx++) {
                            int ix = ix0 + kx, d = dst + kx * cin;
                            if (ix < 0 || ix >= w) {
                                for (int c = 0; c < cin; c++) cols[d + c] = 0f;
                            } else {
                                int src = ((n * h + iy) * w + ix) * cin;
                                for (int c = 0; c < cin; c++) cols[d + c] = x[src + c];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * The column matrix of output pixels {@code from, from + 1, …} as the A operand of a {@link Gemm}, packed
     * straight from {@code x}: {@code A(i, p) = cols[from + i][p]}, so {@code Y = A·W} needs no column buffer.
     */
    public APanels rows(float[] x, int from) {
        return new APanels() {
            @Override public void pack(int i0, int rows, int p0, int depth, float[] dst, int off) {
                for (int r = 0; r < rows; r++) packRow(x, from + i0 + r, p0, p0 + depth, dst, off + r);
            }

            @Override public float[] source() {
                return x;
            }

            /**
             * When all the panel's windows lie inside the image, {@code cols[row][ky·kw·Cin + q] =
             * x[corner(row) + ky·W·Cin + q]}: each window row is a run, for all its rows at once.
             */
            @Override public int run(int i0, int p0, int p1, int[] at) {
                int row = from + i0, ox = row % outW, oy = row / outW % outH, n = row / (outW * outH);
                int run = kw * cin, ky = p0 / run, q = p0 - ky * run, shift = ky * w * cin + q;
                for (int r = 0; r < APanels.ROWS; r++) {
                    int iy = oy * strideH - padTop, ix = ox * strideW - padLeft;
                    if (iy < 0 || iy + kh > h || ix < 0 || ix + kw > w) return 0;
                    at[r] = ((n * h + iy) * w + ix) * cin + shift;
                    if (++ox == outW) { // the next output pixel
                        ox = 0;
                        if (++oy == outH) {
                            oy = 0;
                            n++;
                        }
                    }
                }
                return Math.min(run - q, p1 - p0);
            }
        };
    }

    /**
     * One row of a panel, {@code dst[d + (p − p0)·ROWS] = cols[row][p]} for {@code p ∈ [p0, p1)}, a window row at a
     * time as in {@link #gather} (tap by tap at the borders). The stride is the constant {@link APanels#ROWS}, which
     * lets the JIT hoist the bounds checks out of the copy loops.
     */
    private void packRow(float[] x, int row, int p0, int p1, float[] dst, int d) {
        int run = kw * cin, ox = row % outW, oy = row / outW % outH, n = row / (outW * outH);
        int ix0 = ox * strideW - padLeft, iy0 = oy * strideH - padTop;
        boolean rowInside = ix0 >= 0 && ix0 + kw <= w;
        for (int p = p0; p < p1; ) {
            int ky = p / run, q = p - ky * run, iy = iy0 + ky, len, src; // src < 0: padding, zeros
            if (iy < 0 || iy >= h) {
                len = Math.min(run - q, p1 - p);
                src = -1;
            } else if (rowInside) {
                len = Math.min(run - q, p1 - p);
                src = ((n * h + iy) * w + ix0) * cin + q;
            } else {
                int kx = q / cin, c = q - kx * cin, ix = ix0 + kx;
                len = Math.min(cin - c, p1 - p);
                src = ix < 0 || ix >= w ? -1 : ((n * h + iy) * w + ix) * cin + c;
            }
            if (src < 0) {
                for (int j = 0; j < len; j++) dst[d + j * APanels.ROWS] = 0f;
            } else {
                for (int j = 0; j < len; j++) dst[d + j * APanels.ROWS] = x[src + j];
            }
            p += len;
            d += len * APanels.ROWS;
        }
    }

    /**
     * {@code dx[n, iy, ix, c] += dcols[(r − from)·Kc + (ky·kw + kx)·Cin + c]} for every in-image tap of output pixels
     * {@code r ∈ [from, to)}. Windows overlap, so threads split the channels (disjoint outputs) and each visits the
     * rows in order: every element of {@code dx} sums its terms in the same order for any thread count.
     */
    public void scatterAdd(float[] dcols, int from, int to, float[] dx) {
        int kc = columns();
        Parallel.forRange(cin, 8, (c0, c1) -> {
            for (int r = from; r < to; r++) {
                int ox = r % outW, oy = r / outW % outH, n = r / (outW * outH);
                int src = (r - from) * kc;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * strideH - padTop + ky;
                    for (int kx = 0; kx < kw; kx++, src += cin) {
                        int ix = ox * strideW - padLeft + kx;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                        int d = ((n * h + iy) * w + ix) * cin;
                        for (int c = c0; c < c1; c++) dx[d + c] += dcols[src + c];
                    }
                }
            }
        });
    }
}
