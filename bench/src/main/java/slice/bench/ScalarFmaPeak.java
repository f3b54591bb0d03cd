package slice.bench;

import java.util.function.IntToDoubleFunction;

/**
 * Scalar twin of {@link VectorFmaPeak}, used when the vector module is absent: the same twelve
 * independent chains {@code acc_i = fma(acc_i, a, b)}, one float each — {@code 2 · rounds · 12} FLOPs.
 */
final class ScalarFmaPeak implements IntToDoubleFunction {
    @Override
    public double applyAsDouble(int rounds) {
        float a = 0.999f, b = 0.001f;
        float c0 = 0.10f, c1 = 0.11f, c2 = 0.12f, c3 = 0.13f, c4 = 0.14f, c5 = 0.15f;
        float c6 = 0.16f, c7 = 0.17f, c8 = 0.18f, c9 = 0.19f, c10 = 0.20f, c11 = 0.21f;
        for (int i = 0; i < rounds; i++) {
            c0 = Math.fma(c0, a, b); c1 = Math.fma(c1, a, b); c2 = Math.fma(c2, a, b); c3 = Math.fma(c3, a, b);
            c4 = Math.fma(c4, a, b); c5 = Math.fma(c5, a, b); c6 = Math.fma(c6, a, b); c7 = Math.fma(c7, a, b);
            c8 = Math.fma(c8, a, b); c9 = Math.fma(c9, a, b); c10 = Math.fma(c10, a, b); c11 = Math.fma(c11, a, b);
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
    }
}
