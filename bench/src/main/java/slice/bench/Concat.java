package slice.bench;

import java.util.Arrays;
import org.openjdk.jmh.annotations.Param;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.Concatenate;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * InceptionV3's channel concatenations: {@code HxW:c1+c2+...} joins branches of those channel counts (mixed0 at 35²,
 * mixed4–7 at 17²). The branches are 1×1 convolutions of the input that the benchmark never runs; only the
 * concatenation (a strided copy forward, its split backward) is timed. Memory-bound: reported as time only.
 */
public class Concat extends LayerBench {
    @Param({"35x35:64+64+96+32", "17x17:192+192+192+192"})
    public String shape;

    @Override String shape() { return shape; }

    @Override int[] inputShape(String shape) {
        String[] hw = shape.split(":")[0].split("x");
        return new int[] {Integer.parseInt(hw[0]), Integer.parseInt(hw[1]), 1};
    }

    @Override Layer build(String shape, Input x) {
        int[] channels = Arrays.stream(shape.split(":")[1].split("\\+")).mapToInt(Integer::parseInt).toArray();
        Layer[] branches = new Layer[channels.length];
        for (int i = 0; i < channels.length; i++) {
            branches[i] = new Conv2D("branch" + i, x, channels[i], 1, 1, 1, 1, Padding.SAME, false);
        }
        return new Concatenate("concat", branches);
    }

    @Override public double flops(String method) { return 0; }
}
