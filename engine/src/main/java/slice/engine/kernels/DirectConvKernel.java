package slice.engine.kernels;

/**
 * A dense convolution computed straight from its NHWC input, for inputs of few channels — an RGB stem, where the
 * {@link Im2col} GEMM has only {@code Kc = kh·kw·Cin} (27) steps per output and spends much of its time packing.
 * With {@code g} the convolution's geometry and {@code K} the Keras kernel {@code [kh, kw, Cin, Cout]}:
 * <pre>
 *   y[n, oy, ox, o] = map(b[o] + Σ_{ky, kx, c} x[n, oy·sh − pt + ky, ox·sw − pl + kx, c] · K[ky, kx, c, o], o)
 * </pre>
 * (zero outside the image; without bias the sum starts at 0; without a {@link ColumnMap} no map). Each output is one
 * fma chain from {@code b[o]} (or 0) over {@code p = (ky·kw + kx)·Cin + c} in increasing order, taps in the padding
 * included as fmas of 0 — the chain of the {@link Gemm} over the {@link Im2col} rows, so the two give the same bits
 * for every output, and so do the vector kernel and its scalar twin. The caller splits the work over output rows
 * {@code n·outH + oy}.
 */
public interface DirectConvKernel {
    /** The most input channels a layer may have to be computed directly ({@link #suits}). */
    int MAX_CHANNELS = 4;

    /** Whether a convolution with a window (not a 1×1 stride-1 one) of {@code cin} input channels is computed here. */
    static boolean suits(int cin) {
        return cin <= MAX_CHANNELS;
    }

    /**
     * Output rows {@code [row0, row1)} of {@code y} (row {@code n·outH + oy}, all {@code Cout} channels of each pixel);
     * {@code bias} and {@code map} may be null.
     */
    void forward(Im2col g, int cout, float[] x, float[] kernel, float[] bias, ColumnMap map, float[] y, int row0, int row1);
}
