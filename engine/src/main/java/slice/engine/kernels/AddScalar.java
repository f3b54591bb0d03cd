package slice.engine.kernels;

/** Scalar twin of {@link AddKernel}. */
public final class AddScalar implements AddKernel {
    @Override public void addInto(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] += src[srcOff + i];
    }
}
