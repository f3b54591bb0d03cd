package slice.models.face;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Param;
import slice.engine.layers.Add;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.Padding;
import slice.engine.layers.ReLU;

/**
 * face-api.js's 68-point landmark nets ({@code face_landmark_68_model} and its tiny variant), layer by layer with
 * face-api's tensor names ({@link #weights}).
 *
 * <pre>
 * input [112, 112, 3]: the face's box padded to a centred square and normalised ({@link #MEAN_RGB}, ÷255)
 * dense block k (channels c_k: 32, 64, 128[, 256]), each halving the size:
 *   out1 = relu(conv0(x))           conv0: block 0 a 3×3 conv, stride 2, same, + bias; later blocks a separable
 *                                   conv (3×3 depthwise stride 2 same, no bias → 1×1 conv + bias)
 *   out2 = sep1(out1)               sepK: 3×3 depthwise stride 1 same, no bias → 1×1 conv + bias (linear)
 *   out3 = sep2(relu(out1 + out2))
 *   tiny: relu(out1 + out2 + out3)
 *   full: out4 = sep3(relu(out1 + out2 + out3)); relu(out1 + out2 + out3 + out4)
 * average over the remaining 7×7 (full) or 14×14 (tiny) map → [c]
 * fc: dense + bias                  → [136]: x0, y0, x1, y1, … relative to the 112×112 input
 * </pre>
 * The branch outputs are summed before they are rectified, exactly as face-api's dense blocks do.
 */
public final class FaceLandmarkNet {
    /** The mean that face-api subtracts from each RGB channel before dividing by 255. */
    public static final float[] MEAN_RGB = {122.782f, 117.001f, 104.298f};
    public static final int INPUT_SIZE = 112;
    public static final int POINTS = 68;

    public final Graph graph;
    /** Every weight under its face-api tensor name. */
    public final Map<String, Param> weights;
    public final boolean tiny;

    /** The full net ({@code tiny = false}: 4 blocks of 4 convolutions) or the tiny one (3 blocks of 3). */
    public FaceLandmarkNet(boolean tiny) {
        this.tiny = tiny;
        Map<String, Param> named = new LinkedHashMap<>();
        int[] channels = tiny ? new int[] {32, 64, 128} : new int[] {32, 64, 128, 256};
        int convs = tiny ? 3 : 4;
        Input input = new Input("input", INPUT_SIZE, INPUT_SIZE, 3);
        Layer x = input;
        for (int b = 0; b < channels.length; b++) x = denseBlock("dense" + b, x, channels[b], convs, b == 0, named);
        Layer pooled = new GlobalAveragePooling2D("avg_pool", x);
        Dense fc = new Dense("fc", pooled, 2 * POINTS, true);
        named.put("fc/weights", fc.kernel);
        named.put("fc/bias", fc.bias);
        graph = new Graph(input, fc);
        graph.setTrainable(false);
        weights = Collections.unmodifiableMap(named);
    }

    private static Layer denseBlock(String name, Layer x, int channels, int convs, boolean first, Map<String, Param> named) {
        Layer out1;
        if (first) {
            Conv2D conv0 = new Conv2D(name + "/conv0", x, channels, 3, 3, 2, 2, Padding.SAME, true);
            named.put(name + "/conv0/filters", conv0.kernel);
            named.put(name + "/conv0/bias", conv0.bias);
            out1 = conv0;
        } else {
            out1 = separable(name + "/conv0", x, channels, 2, named);
        }
        List<Layer> branches = new ArrayList<>(List.of(new ReLU(name + "/conv0/relu", out1)));
        Layer in = branches.get(0);
        for (int k = 1; k < convs; k++) {
            branches.add(separable(name + "/conv" + k, in, channels, 1, named));
            in = new ReLU(name + "/sum" + k + "/relu", new Add(name + "/sum" + k, branches.toArray(Layer[]::new)));
        }
        return in;
    }

    /** 3×3 depthwise (stride {@code stride}, same, no bias) then 1×1 conv with bias: face-api's separable conv. */
    private static Layer separable(String name, Layer x, int channels, int stride, Map<String, Param> named) {
        DepthwiseConv2D depthwise = new DepthwiseConv2D(name + "/depthwise", x, 3, 3, stride, Padding.SAME, false);
        Conv2D pointwise = new Conv2D(name + "/pointwise", depthwise, channels, 1, 1, 1, 1, Padding.VALID, true);
        named.put(name + "/depthwise_filter", depthwise.kernel);
        named.put(name + "/pointwise_filter", pointwise.kernel);
        named.put(name + "/bias", pointwise.bias);
        return pointwise;
    }
}
