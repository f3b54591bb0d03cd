package slice.bench;

import java.util.function.IntToDoubleFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import slice.engine.simd.VectorInfo;

/**
 * The FMA throughput probe behind the benchmarks' "fraction of peak" (the scalar twin is {@link ScalarFmaPeak};
 * {@link Peak} loads this class only when the vector module is present).
 *
 * <p>{@code applyAsDouble(n)} runs {@code n} rounds of twelve independent chains {@code acc_i = acc_i · a + b} on
 * vectors of the process-wide species {@link VectorInfo#F}: {@code n · 12 · lanes} fused multiply-adds, that is
 * {@code 2 · n · 12 · lanes} FLOPs, with no loads or stores. Twelve chains cover the FMA latency × issue width of
 * Zen 4 (4 cycles × 2 pipes) and of the Cortex-A72 (7 cycles × 1 pipe) and still fit in 16 vector registers.
 * The multiplier is just below one and the addend small, so the chains converge instead of overflowing; the sum
 * of all lanes is returned so that the JIT cannot drop the work.
 */
final class VectorFmaPeak implements IntToDoubleFunction {
    @Override
    public double applyAsDouble(int rounds) {
        FloatVector a = FloatVector.broadcast(VectorInfo.F, 0.999f);
        FloatVector b = FloatVector.broadcast(VectorInfo.F, 0.001f);
        FloatVector c0 = FloatVector.broadcast(VectorInfo.F, 0.10f), c1 = FloatVector.broadcast(VectorInfo.F, 0.11f);
        FloatVector c2 = FloatVector.broadcast(VectorInfo.F, 0.12f), c3 = FloatVector.broadcast(VectorInfo.F, 0.13f);
        FloatVector c4 = FloatVector.broadcast(VectorInfo.F, 0.14f), c5 = FloatVector.broadcast(VectorInfo.F, 0.15f);
        FloatVector c6 = FloatVector.broadcast(VectorInfo.F, 0.16f), c7 = FloatVector.broadcast(VectorInfo.F, 0.17f);
        FloatVector c8 = FloatVector.broadcast(VectorInfo.F, 0.18f), c9 = FloatVector.broadcast(VectorInfo.F, 0.19f);
        FloatVector c10 = FloatVector.broadcast(VectorInfo.F, 0.20f), c11 = FloatVector.broadcast(VectorInfo.F, 0.21f);
        for (int i = 0; i < rounds; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
