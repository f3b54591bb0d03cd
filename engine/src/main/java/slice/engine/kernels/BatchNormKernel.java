package slice.engine.kernels;

/**
 * The per-channel loops of batch normalisation, on a matrix {@code x[P, C]} of {@code P} pixels (all of
 * {@code N·H·W}, or {@code N} for a rank-2 input) by {@code C} channels, row-major: {@code x[p·C + c]}.
 *
 * <p>Everything applies to pixels {@code [p0, p1)} and every channel. Sums accumulate into the given arrays pixel by
 * pixel in increasing order — a caller that wants blocked summation passes zeroed partial rows.
 * Every channel's arithmetic is therefore a fixed sequence, identical in {@link BatchNormScalar} and the vector
 * kernel (where channels are the lanes): the two agree bit for bit. Products use {@link Math#fma}.
 */
public interface BatchNormKernel {
    /** {@code y[p, c] = x[p, c]·s[c] + t[c]} (one fma). */
    void affine(float[] x, float[] y, int p0, int p1, int channels, float[] s, float[] t);

    /**
     * With {@code add}, {@code dx[p, c] += s[c]·dy[p, c]} (one fma); without, {@code dx[p, c] = s[c]·dy[p, c]}
     * (one multiply).
     */
    void scaledGradient(float[] dy, float[] dx, int p0, int p1, int channels, float[] s, boolean add);

    /**
     * {@code g = a[c]·dy[p, c] + (b[c]·(x[p, c] − mean[c]) + k[c])} (two fmas), then {@code dx[p, c] += g} with
     * {@code add}, {@code dx[p, c] = g} without.
     */
    void normalizedGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels,
                            float[] mean, float[] a, float[] b, float[] k, boolean add);

    /** {@code sum[c] += Σ_p x[p, c]}. */
    void sum(float[] x, int p0, int p1, int channels, float[] sum);

    /** {@code squares[c] += Σ_p (x[p, c] − mean[c])²}. */
    void centredSquares(float[] x, int p0, int p1, int channels, float[] mean, float[] squares);

    /** {@code sumDy[c] += Σ_p dy[p, c]} and {@code sumDyXc[c] += Σ_p dy[p, c]·(x[p, c] − mean[c])}. */
    void gradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                      float[] sumDy, float[] sumDyXc);
}
