package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import slice.engine.kernels.ReluKernel;

/**
 * Vector rectifiers: lanewise max/min forward; backward selects {@code dy} (or {@code α·dy}) by the sign of {@code x}
 * with a compare-and-blend (a bitwise select, not a masked memory access), then adds it to {@code dx} or stores it. Scalar tails as in
 * {@link slice.engine.kernels.ReluScalar}; bit-identical to it.
 */
public final class ReluVector implements ReluKernel {
    private static final int L = F.length();

    @Override public void forward(float[] x, float[] y, int from, int to, float max) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, x, i).max(0f).min(max).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = Math.min(Math.max(x[i], 0f), max);
    }

    @Override public void backward(float[] x, float[] dy, float[] dx, int from, int to, float max, boolean add) {
        FloatVector zero = FloatVector.zero(F);
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            VectorMask<Float> open = xv.compare(VectorOperators.GT, 0f).and(xv.compare(VectorOperators.LT, max));
            FloatVector g = zero.blend(FloatVector.fromArray(F, dy, i), open);
            (add ? FloatVector.fromArray(F, dx, i).add(g) : g).intoArray(dx, i);
        }
        for (; i < to; i++) dx[i] = (add ? dx[i] : 0f) + (x[i] > 0f & x[i] < max ? dy[i] : 0f);
    }

    @Override public void leakyForward(float[] x, float[] y, int from, int to, float alpha) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, i);
            xv.max(xv.mul(alpha)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = Math.max(x[i], alpha * x[i]);
    }

    @Override public void leakyBackward(float[] x, float[] dy, float[] dx, int from, int to, float alpha, boolean add) {
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += L) {
            FloatVector g = FloatVector.fromArray(F, dy, i);
            VectorMask<Float> positive = FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, 0f);
            FloatVector d = g.mul(alpha).blend(g, positive);
            (add ? FloatVector.fromArray(F, dx, i).add(d) : d).intoArray(dx, i);
        }
        for (; i < to; i++) dx[i] = (add ? dx[i] : 0f) + (x[i] > 0f ? dy[i] : alpha * dy[i]);
    }
}
