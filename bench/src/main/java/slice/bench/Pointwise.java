package slice.bench;

import org.openjdk.jmh.annotations.Param;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/** 1×1 convolutions of MobileNetV2 (expansions and projections): a GEMM [N·H·W, Cin] × [Cin, Cout]. */
public class Pointwise extends LayerBench {
    @Param({"112x112x16>96", "56x56x144>24", "14x14x384>64", "7x7x960>160", "7x7x320>1280"})
    public String shape;

    @Override String shape() { return shape; }

    @Override Layer build(String shape, Input x) {
        Spec s = Spec.parse(shape);
        return new Conv2D("conv", x, s.k(), 1, 1, 1, 1, Padding.SAME, false);
    }
}
