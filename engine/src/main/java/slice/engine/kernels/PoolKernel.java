package slice.engine.kernels;

/**
 * Max and average pooling loops on a {@link WindowGeometry} ({@code kh × kw} window; cells outside the input are
 * skipped, never counted). Forward works on output rows {@code n·outH + oy}, the average-pool gradient on input rows
 * {@code n·h + iy}, the max-pool gradient on one image's channels {@code [ch0, ch1)}: disjoint outputs, so callers may
 * split rows (channels) across threads.
 * <pre>
 *   max  y[n, oy, ox, c] = Math.max over the window's real cells of x, in (ky, kx) order
 *   avg  y[n, oy, ox, c] = (Σ window's real cells of x, from 0 in (ky, kx) order) · inv[oy·outW + ox],
 *        inv = 1 / (number of real cells)
 *   max gradient  dx[n, winner(oy, ox, c)] += dy[n, oy, ox, c], outputs in (oy, ox) order; the winner is the first
 *        real cell in (ky, kx) order equal to y[n, oy, ox, c] (the first real cell if none is, e.g. NaN)
 *   avg gradient  dx[n, iy, ix, c] = fma chain from dx over the windows containing (iy, ix), taps in (ky, kx)
 *        order, of dy[n, oy, ox, c] · inv[oy·outW + ox]
 * </pre>
 * The vector kernel maps channels to lanes and performs each channel's operations in this order: bit-identical.
 */
public interface PoolKernel {
    void maxForward(WindowGeometry g, float[] x, float[] y, int row0, int row1);

    void avgForward(WindowGeometry g, float[] x, float[] inv, float[] y, int row0, int row1);

    void avgBackward(WindowGeometry g, float[] dy, float[] inv, float[] dx, int row0, int row1);

    void maxBackward(WindowGeometry g, float[] x, float[] y, float[] dy, float[] dx, int n, int ch0, int ch1);
}
