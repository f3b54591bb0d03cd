package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.AddKernel;

/** Vector {@link AddKernel}: whole vectors, then a scalar tail; bit-identical to {@link slice.engine.kernels.AddScalar}. */
public final class AddVector implements AddKernel {
    private static final int L = F.length();

    @Override public void addInto(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += L) {
            FloatVector.fromArray(F, dst, dstOff + i).add(FloatVector.fromArray(F, src, srcOff + i)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) dst[dstOff + i] += src[srcOff + i];
    }
}
