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
     * {@code add}, {@code dx[p, c] = g} without.
     */
    void normalizedGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels,
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
    void gatedNormalizedGradient(float[] dy, float[] x, float[] dx, int p0, int p1, int channels,
                                 float[] mean, float[] a, float[] b, float[] k, ReluGate gate, boolean add);

    /** {@link #gradientSums} of {@code gate(dy)}. */
    void gatedGradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean, ReluGate gate,
                           float[] sumDy, float[] sumDyXc);

    /** Floats per tile of {@link #moments}: a tile of {@code x} this size stays in the L1 cache between its two reads. */
    int MOMENT_TILE_FLOATS = 4096;

    /** Pixels per tile of {@link #moments}: {@value #MOMENT_TILE_FLOATS} floats' worth, at least one pixel. */
    static int momentTile(int channels) { return Math.max(1, MOMENT_TILE_FLOATS / channels); }

    /**
     * Overwrites {@code mean[c]} and {@code m2[c]} with the mean and the sum of squared deviations
     * {@code Σ_p (x[p, c] − mean[c])²} of pixels {@code [p0, p1)}, reading {@code x} once from memory. Tile by tile
     * ({@link #momentTile} pixels {@code [t0, t1)}, {@code n = t1 − t0}): the tile's rough mean {@code r = (Σ x)/n}
     * (sum in pixel order); then, the tile read again while in cache, its deviations {@code d = x − r}, their sum
     * {@code R = Σ d} and squares {@code Q = Σ d²} (one fma each); the tile's mean {@code m = r + R/n} and squares
     * {@code Q − R·(R/n)} (one fma: the corrected two-pass algorithm). The tile is merged into the running moments of
     * the {@code k = t0 − p0} pixels before it (Chan, Golub and LeVeque's pairwise update), with {@code w = n/(k + n)},
     * {@code v = k·w}, {@code δ = m − mean}: {@code mean += δ·w} (one fma), {@code m2 += δ·δ·v + (Q − R·(R/n))}.
     * Against a double-precision two-pass computation on the same floats ({@code
     * BatchNormTest.momentsMatchDoublePrecisionTwoPass}, 3 000 pixels): the mean within 1e-7 of its size; {@code m2}
     * within 1e-5 of itself for 1000 + U(−1, 1) and U(−1, 1), within 5e-5 for 100 + U(−0.01, 0.01), where the
     * tiles' float means, 100 ± 4e-6, carry the between-tile term.
     */
    void moments(float[] x, int p0, int p1, int channels, float[] mean, float[] m2);

    /** {@code sumDy[c] += Σ_p dy[p, c]} and {@code sumDyXc[c] += Σ_p dy[p, c]·(x[p, c] − mean[c])}. */
    void gradientSums(float[] dy, float[] x, int p0, int p1, int channels, float[] mean,
                      float[] sumDy, float[] sumDyXc);
}
