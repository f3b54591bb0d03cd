package slice.engine.kernels;

/**
 * Depthwise convolution loops ({@link WindowGeometry} gives the shapes), forward and both gradients. With
 * {@code v = (oy·s − padTop + ky, ox·s − padLeft + kx)} the input pixel read by tap {@code (ky, kx)}:
 * <pre>
 *   forward     y[n, oy, ox, c] = b[c] + Σ_{ky,kx} x[n, v, c] · K[ky, kx, c]
 *   input grad  ∂L/∂x[n, v, c]  += Σ over (oy, ox, ky, kx) reading v of  ∂L/∂y[n, oy, ox, c] · K[ky, kx, c]
 *   kernel grad ∂L/∂K[ky, kx, c] = Σ_{n, oy, ox} ∂L/∂y[n, oy, ox, c] · x[n, v, c],   ∂L/∂b[c] = Σ ∂L/∂y[n, oy, ox, c]
 * </pre>
 * Every channel is independent, which is what the vector kernel exploits (channels are the lanes). The order of
 * each sum is fixed and shared with the scalar twin, so the two agree bit for bit:
 * <ul>
 *   <li>forward: from {@code b[c]} (or 0), fma over valid taps in (ky, kx) order;</li>
 *   <li>input gradient: from the existing {@code dx}, fma over the valid (ky, kx) in increasing order;</li>
 *   <li>kernel gradient over a range of output rows: per output row {@code (n, oy)} a partial from 0, fma over
 *       {@code ox}; the row partials are added in row order, from 0 (blocked summation keeps a 100 000-term float
 *       sum accurate; the caller then adds the sums of its row ranges in range order).</li>
 * </ul>
 * Work is split by the caller: forward over output rows {@code n·outH + oy}, input gradient over input rows
 * {@code n·h + iy}, kernel gradient over ranges of output rows, each into its own arrays — always disjoint outputs
 * (a training step runs both gradients of a band of output rows together: {@code DepthwiseConv2D#backward}).
 */
public interface DepthwiseKernel {
    /**
     * Output rows {@code [row0, row1)} of {@code y}; {@code bias} may be null. With a {@code map} (null: none), each
     * finished output is mapped with its channel's parameters, {@code y[n, oy, ox, c] = map(sum, c)}: the frozen batch
     * norm and ReLU of an inference graph, applied before the value is stored.
     */
    void forward(WindowGeometry g, float[] x, float[] kernel, float[] bias, ColumnMap map, float[] y, int row0, int row1);

    /** Adds the input gradient into input rows {@code [row0, row1)} of {@code dx}. */
    void backwardInput(WindowGeometry g, float[] dy, float[] kernel, float[] dx, int row0, int row1);

    /**
     * Overwrites {@code dKernel} (and {@code dBias} unless null), every channel, with the sums over output rows
     * {@code [row0, row1)} (row {@code n·outH + oy}).
     */
    void backwardKernel(WindowGeometry g, float[] x, float[] dy, int row0, int row1, float[] dKernel, float[] dBias);
}
