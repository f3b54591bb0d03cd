package slice.engine.kernels;

/**
 * The per-channel loops of batch normalisation, on a matrix {@code x[P, C]} of {@code P} pixels (all of
 * {@code N·H·W}, or {@code N} for a rank-2 input) by {@code C} channels, row-major: {@code x[p·C + c]}.
 *
 * <p>Everything applies to pixels {@code [p0, p1)} and every channel. Sums accumulate into the given arrays pixel by
 * pixel in increasing order — a caller that wants blocked summation passes zeroed partial rows.
 * Every channel's arithmetic is therefore a fixed sequence, identical in {@link BatchNormScalar} and the vector
 * kernel (where channels are the lanes): the two agree bit for bit. Products use {@link Math#fma}.
 *
 * <p>A batch norm followed by a ReLU does both in one layer: {@link #affineRelu} forward, and backward the
 * {@code gated…} loops, which are the plain ones on the ReLU's gradient {@code g = gate(dy) =
 * [0 < x·s + t < max]·dy} ({@link ReluGate#open}). The ReLU's input {@code x·s + t} is recomputed from {@code x} by
 * the same fma the forward used, so no activation is read for it and the gate is exactly the ReLU backward's
 * ({@link ReluKernel#backward}).
 */
public interface BatchNormKernel {
    /**
     * The ReLU after a batch norm, seen from the norm: its affine map {@code s}, {@code t} (C floats each) and the
     * ReLU's cap {@code max} (+∞ for a plain ReLU).
     */
    record ReluGate(float[] s, float[] t, float max) {
        /** Whether the ReLU passes the gradient at {@code x} of channel {@code c}: {@code 0 < x·s + t < max}. */
        public boolean open(float x, int c) {
            float z = Math.fma(x, s[c], t[c]);
            return z > 0f & z < max;
        }
    }

    /** {@code y[p, c] = x[p, c]·s[c] + t[c]} (one fma). */
    void affine(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t);

    /**
     * With {@code add}, {@code dx[p, c] += s[c]·dy[p, c]} (one fma); without, {@code dx[p, c] = s[c]·dy[p, c]}
     * (one multiply).
     */
    void scaledGradient(float[] dy, float[] dx, int p0, int p1, int channels, float[] s, boolean add);

    /**
     * {@code g = a[c]·dy[p, c] + (b[c]·(x[p, c] − mean[c]) + k[c])} (two fmas), then {@code dx[p, c] += g} with
     * {@code add}, {@code dx[p, c] = g} without, where {@code dx[p, c]} is {@code dx[dxStart + (p − p0)·channels + c]}
     * ({@code dxStart = p0·channels}: dx laid out as dy; another start writes the rows into a smaller buffer).
     */
    void normalizedGradient(float[] dy, float[] x, float[] dx, int dxStart, int p0, int p1, int channels,
                            float[] mean, float[] a, float[] b, float[] k, boolean add);

    /**
     * {@code y[p, c] = min(max(x[p, c]·s[c] + t[c], 0), max)}: {@link #affine}'s fma, then the ReLU's max and min
     * ({@link ReluKernel#forward}; {@code max} may be +∞).
     */
    void affineRelu(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t, float max);

    /** {@link #scaledGradient} of {@code gate(dy)}. */
    void gatedScaledGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels, float[] s, ReluGate gate,
                             boolean add);

    /** {@link #normalizedGradient} of {@code gate(dy)}. */
    void gatedNormalizedGradient(float[] dy, float[] x, float[] dx, int dxStart, int p0, int p1, int channels,
                                 float[] mean, float[] a, float[] b, float[] k, ReluGate gate, boolean add);

    /** {@link #gradientSums} of {@code gate(dy)}. */
    void gatedGradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean, ReluGate gate,
                           float[] sumDy, float[] sumDyXc);

    /** {@code sum[c] += Σ_p x[p, c]}. */
    void sum(float[] x, int p0, int p1, int channels, float[] sum);

    /** {@code squares[c] += Σ_p (x[p, c] − mean[c])²}. */
    void centredSquares(float[] x, int p0, int p1, int channels, float[] mean, float[] squares);

    /** {@code sumDy[c] += Σ_p dy[p, c]} and {@code sumDyXc[c] += Σ_p dy[p, c]·(x[p, c] − mean[c])}. */
    void gradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                      float[] sumDy, float[] sumDyXc);
}
