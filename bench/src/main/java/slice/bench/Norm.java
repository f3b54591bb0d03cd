package slice.bench;

import org.openjdk.jmh.annotations.Param;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.BatchNorm;

/**
 * Batch normalisation (MobileNetV2's settings: scale, ε = 1e-3, momentum 0.999) on an expanded MobileNetV2
 * activation and on InceptionV3's 17² × 768 block output. Memory-bound: reported as time only.
 */
public class Norm extends LayerBench {
    @Param({"112x112x96", "17x17x768"})
    public String shape;

    @Override String shape() { return shape; }

    @Override Layer build(String shape, Input x) {
        return new BatchNorm("bn", x, true, 1e-3f, 0.999f);
    }

    @Override public double flops(String method) { return 0; }
}
