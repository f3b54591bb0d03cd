package slice.bench;

import org.openjdk.jmh.annotations.Param;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.AveragePooling2D;
import slice.engine.layers.MaxPooling2D;
import slice.engine.layers.Padding;

/**
 * InceptionV3's pooling: the 3×3 stride-2 max pool after the stem (147² × 64, VALID) and the 3×3 stride-1 average
 * pool of a 35² branch (35² × 192, SAME). The prefix {@code max:} or {@code avg:} picks the kind. Memory-bound:
 * reported as time only.
 */
public class Pool extends LayerBench {
    @Param({"max:147x147x64/3x3s2", "avg:35x35x192/3x3"})
    public String shape;

    @Override String shape() { return shape; }

    @Override int[] inputShape(String shape) {
        Spec s = Spec.parse(shape.substring(4));
        return new int[] {s.h(), s.w(), s.c()};
    }

    @Override Layer build(String shape, Input x) {
        Spec s = Spec.parse(shape.substring(4));
        return shape.startsWith("max:")
                ? new MaxPooling2D("pool", x, s.kh(), s.stride(), Padding.VALID)
                : new AveragePooling2D("pool", x, s.kh(), s.stride(), Padding.SAME);
    }

    @Override public double flops(String method) { return 0; }
}
