package slice.bench;

import org.openjdk.jmh.annotations.Param;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * Dense convolutions with a window: the MobileNetV2 stem (224², 3→32, 3×3 stride 2), an InceptionV3 3×3
 * (35², 64→96), its 5×5 (35², 48→64), the factorised 1×7 / 7×1 pair of its 17² blocks and a 1×3 of its 8² blocks
 * (384→384). SAME padding, no bias.
 */
public class Conv extends LayerBench {
    @Param({"224x224x3>32/3x3s2", "35x35x64>96/3x3", "35x35x48>64/5x5", "17x17x128>128/1x7", "17x17x128>128/7x1",
            "8x8x384>384/1x3"})
    public String shape;

    @Override String shape() { return shape; }

    @Override Layer build(String shape, Input x) {
        Spec s = Spec.parse(shape);
        return new Conv2D("conv", x, s.k(), s.kh(), s.kw(), s.stride(), s.stride(), Padding.SAME, false);
    }
}
