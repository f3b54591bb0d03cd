package slice.models.face;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Param;
import slice.engine.layers.Conv2D;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.LeakyReLU;
import slice.engine.layers.MaxPooling2D;
import slice.engine.layers.Padding;

/**
 * face-api.js's Tiny Face Detector: a Tiny-YOLOv2 with depthwise-separable convolutions, written layer by layer with
 * face-api's tensor names ({@link #weights}), so its TensorFlow.js weights load by name.
 *
 * <pre>
 * input [S, S, 3], S a multiple of 32: the photo padded to a square and normalised ({@link #MEAN_RGB}, ÷255)
 * conv0     3×3 conv, valid, + bias, leaky ReLU 0.1            → [S−2, S−2, 16]
 * pool0     2×2 max, stride 2, same
 * conv1…5   separable: 3×3 depthwise, same, no bias → 1×1 conv + bias → leaky ReLU 0.1 (16→32→64→128→256→512),
 *           each but conv5 followed by a 2×2 max pool, stride 2, same
 * pool5     2×2 max, stride 1, same                            → [S/32, S/32, 512]
 * conv8     1×1 conv + bias, linear                            → [S/32, S/32, 5 anchors × (x, y, w, h, objectness)]
 * </pre>
 * No batch norm (the weights have it folded in). The output grid is decoded by {@link YoloDecoder}.
 */
public final class TinyFaceDetector {
    /** The mean that face-api subtracts from each RGB channel before dividing by 255. */
    public static final float[] MEAN_RGB = {117.001f, 114.697f, 97.404f};
    /** The slope of the leaky ReLUs. */
    public static final float LEAKY_ALPHA = 0.1f;
    /** Channels of conv0 and of the five separable blocks. */
    private static final int[] FILTERS = {16, 32, 64, 128, 256, 512};
    private static final int BOXES = 5 * 5;

    /** The network, from the normalised square input to the raw {@code [S/32, S/32, 25]} grid. */
    public final Graph graph;
    /** Every weight under its face-api tensor name, in the manifest's order. */
    public final Map<String, Param> weights;
    public final int inputSize;

    public TinyFaceDetector(int inputSize) {
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("the face detector's input size must be a positive multiple of 32, got " + inputSize);
        }
        this.inputSize = inputSize;
        Map<String, Param> named = new LinkedHashMap<>();
        Input input = new Input("input", inputSize, inputSize, 3);
        Conv2D conv0 = new Conv2D("conv0", input, FILTERS[0], 3, 3, 1, 1, Padding.VALID, true);
        named.put("conv0/filters", conv0.kernel);
        named.put("conv0/bias", conv0.bias);
        Layer x = new LeakyReLU("conv0/leaky", conv0, LEAKY_ALPHA);
        x = new MaxPooling2D("pool0", x, 2, 2, Padding.SAME);
        for (int i = 1; i < FILTERS.length; i++) {
            String name = "conv" + i;
            DepthwiseConv2D depthwise = new DepthwiseConv2D(name + "/depthwise", x, 3, 3, 1, Padding.SAME, false);
            Conv2D pointwise = new Conv2D(name + "/pointwise", depthwise, FILTERS[i], 1, 1, 1, 1, Padding.VALID, true);
            named.put(name + "/depthwise_filter", depthwise.kernel);
            named.put(name + "/pointwise_filter", pointwise.kernel);
            named.put(name + "/bias", pointwise.bias);
            x = new LeakyReLU(name + "/leaky", pointwise, LEAKY_ALPHA);
            x = new MaxPooling2D("pool" + i, x, 2, i < FILTERS.length - 1 ? 2 : 1, Padding.SAME);
        }
        Conv2D conv8 = new Conv2D("conv8", x, BOXES, 1, 1, 1, 1, Padding.VALID, true);
        named.put("conv8/filters", conv8.kernel);
        named.put("conv8/bias", conv8.bias);
        graph = new Graph(input, conv8);
        graph.setTrainable(false);
        weights = Collections.unmodifiableMap(named);
    }

    /** The same network for {@code size × size} inputs: new layers (their shapes depend on the size), these weights. */
    public TinyFaceDetector atSize(int size) {
        TinyFaceDetector other = new TinyFaceDetector(size);
        weights.forEach((name, p) -> System.arraycopy(p.value.data, 0, other.weights.get(name).value.data, 0, p.value.size()));
        return other;
    }

    /** Cells per side of the output grid ({@code S/32}). */
    public int gridSize() { return graph.outputShape()[0]; }
}
