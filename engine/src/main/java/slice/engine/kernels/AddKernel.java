package slice.engine.kernels;

/**
 * {@code dst[dstOff + i] += src[srcOff + i]} for {@code i < n}: the accumulation behind residual sums and behind
 * every backward that routes a gradient slice to an input (add, concatenate, zero padding).
 */
public interface AddKernel {
    void addInto(float[] src, int srcOff, float[] dst, int dstOff, int n);
}
