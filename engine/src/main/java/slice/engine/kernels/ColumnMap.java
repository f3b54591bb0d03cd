package slice.engine.kernels;

/**
 * The map a {@link Gemm} applies to each finished element of C, with parameters per column {@code j}:
 * {@code C(i,j) ← min(max(fma(C(i,j), scale[j], shift[j]), lo), hi)}. Without {@code scale} and {@code shift}
 * (both null) there is no affine step: {@code C(i,j) ← min(max(C(i,j), lo), hi)}; {@code lo = −∞, hi = +∞} leave
 * the value as it is.
 *
 * <p>This is how an inference graph folds a frozen batch norm ({@code scale = γ/√(moving_var + ε)},
 * {@code shift = β − moving_mean·scale}) and a clipped ReLU ({@code lo = 0}, {@code hi} = its cap) into the
 * convolution before them: the same fma, then max, then min those layers compute on their own, so the outputs are
 * bit-identical, without a second pass over C.
 */
public record ColumnMap(float[] scale, float[] shift, float lo, float hi) {
    public ColumnMap {
        if ((scale == null) != (shift == null)) throw new IllegalArgumentException("scale and shift go together");
    }

    /** The map of one element {@code c} of column {@code j}. */
    public float apply(float c, int j) {
        float v = scale == null ? c : Math.fma(c, scale[j], shift[j]);
        return Math.min(Math.max(v, lo), hi);
    }
}
