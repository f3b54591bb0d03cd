package slice.bench;

import org.openjdk.jmh.annotations.Param;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.Padding;

/** MobileNetV2's depthwise 3×3 convolutions (SAME padding, no bias), including the stride-2 one at 112². */
public class Depthwise extends LayerBench {
    @Param({"112x112x96/3x3s2", "56x56x144/3x3", "14x14x384/3x3", "7x7x960/3x3"})
    public String shape;

    @Override String shape() { return shape; }

    @Override Layer build(String shape, Input x) {
        Spec s = Spec.parse(shape);
        return new DepthwiseConv2D("dw", x, s.kh(), s.kw(), s.stride(), Padding.SAME, false);
    }
}
