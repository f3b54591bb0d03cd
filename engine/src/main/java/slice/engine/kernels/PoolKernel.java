package slice.engine.kernels;

/**
 * Max and average pooling loops on a {@link WindowGeometry} ({@code kh × kw} window; cells outside the input are
 * skipped, never counted). Forward works on output rows {@code n·outH + oy}, the average-pool gradient on input rows
 * {@code n·h + iy}, the max-pool gradient on one image's channels {@code [ch0, ch1)}: disjoint outputs, so callers may
 * split rows (channels) across threads. The max forward can also keep each output's winner, its position in the list
 * of the window's real cells in (ky, kx) order, as a float ({@code winners}, the shape of {@code y}); the gradient
 * then scatters through them without looking at the window's values again.
 * <pre>
 *   max  y[n, oy, ox, c] = Math.max over the window's real cells of x, in (ky, kx) order
 *   avg  y[n, oy, ox, c] = (Σ window's real cells of x, from 0 in (ky, kx) order) · inv[oy·outW + ox],
 *        inv = 1 / (number of real cells)
 *   winner  the first real cell in (ky, kx) order equal to y[n, oy, ox, c] (the first real cell if none is: NaN);
 *        found during the running max: a cell wins when it is greater than the max so far
 *   max gradient  dx[n, winner(oy, ox, c)] += dy[n, oy, ox, c], outputs in (oy, ox) order
 *   avg gradient  dx[n, iy, ix, c] = fma chain from dx over the windows containing (iy, ix), taps in (ky, kx)
 *        order, of dy[n, oy, ox, c] · inv[oy·outW + ox]
 * </pre>
 * The vector kernel maps channels to lanes and performs each channel's operations in this order: bit-identical.
 */
public interface PoolKernel {
    /** Max pooling of output rows {@code [row0, row1)}; also their winners unless {@code winners} is null. */
    void maxForward(WindowGeometry g, float[] x, float[] y, float[] winners, int row0, int row1);

    void avgForward(WindowGeometry g, float[] x, float[] inv, float[] y, int row0, int row1);

    void avgBackward(WindowGeometry g, float[] dy, float[] inv, float[] dx, int row0, int row1);

    /** The max-pool gradient of image {@code n}'s channels {@code [ch0, ch1)}, through the winners its forward kept. */
    void maxBackward(WindowGeometry g, float[] winners, float[] dy, float[] dx, int n, int ch0, int ch1);
}
