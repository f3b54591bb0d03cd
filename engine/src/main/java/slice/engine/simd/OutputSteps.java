package slice.engine.simd;

import java.util.Arrays;
import slice.engine.kernels.ColumnMap;

/**
 * What a Winograd output transform applies to output channel {@code o} after the transform,
 * {@code y ← min(max(fma(y + bias[o], scale[o], shift[o]), lo), hi)}, with the absent steps as exact identities so that
 * no vector depends on a branch: a missing bias or shift is −0 ({@code x + (−0) = x}), a missing scale 1
 * ({@code fma(x, 1, −0) = x}), a missing map's bounds −∞ and +∞ ({@code min(max(x, −∞), +∞) = x}), for every
 * {@code x} including ±0. So the vector transforms compute, lane by lane, what their scalar twins compute with
 * {@link ColumnMap#apply} and no step where none is given.
 */
record OutputSteps(float[] bias, float[] scale, float[] shift, float lo, float hi) {
    /** The steps of a bias (or {@code null}) and a map (or {@code null}) over {@code cout} channels. */
    static OutputSteps of(int cout, float[] bias, ColumnMap map) {
        float[] minusZeros = new float[cout], ones = new float[cout];
        Arrays.fill(minusZeros, -0f);
        Arrays.fill(ones, 1f);
        boolean affine = map != null && map.scale() != null;
        return new OutputSteps(bias == null ? minusZeros : bias, affine ? map.scale() : ones, affine ? map.shift() : minusZeros,
                map == null ? Float.NEGATIVE_INFINITY : map.lo(), map == null ? Float.POSITIVE_INFINITY : map.hi());
    }
}
