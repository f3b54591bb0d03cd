package slice.models.face;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Param;
import slice.engine.layers.Add;
import slice.engine.layers.AveragePooling2D;
import slice.engine.layers.ChannelPadding;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.MaxPooling2D;
import slice.engine.layers.Padding;
import slice.engine.layers.ReLU;
import slice.engine.layers.Scale;
import slice.engine.layers.ZeroPadding2D;

/**
 * face-api.js's {@code face_recognition_model}: dlib's face-recognition ResNet (29 convolutions), layer by layer with
 * face-api's tensor names ({@link #weights}). It maps a face, cut as {@link FaceDescriber} cuts it, to a 128-number
 * descriptor.
 *
 * <pre>
 * input [150, 150, 3]: the aligned face padded to a centred square and normalised ({@link #MEAN_RGB}, ÷255)
 * conv(k, s, pad) = k×k conv, stride s, + bias → scale (y = a·x + b per channel: the folded batch norm)
 * conv32_down   conv(7, 2, valid) 3→32, ReLU                       → [72, 72, 32]
 * pool          3×3 max, stride 2, valid                           → [35, 35, 32]
 * residual      relu(conv2(relu(conv1(x))) + x), conv1, conv2 = conv(3, 1, same)
 * residual down relu(pad(conv2(relu(conv1(x)))) + shortcut(x)), conv1 = conv(3, 2, valid), conv2 = conv(3, 1, same),
 *               shortcut = 2×2 average pool, stride 2, valid, then zero channels up to the block's (C → 2C);
 *               pad = one zero row at the bottom and one zero column at the right when the branch is smaller than
 *               the shortcut (face-api's rule)
 * conv32_1…3 residual; conv64_down → [17, 17, 64]; conv64_1…3; conv128_down → [8, 8, 128]; conv128_1…2;
 * conv256_down → [4, 4, 256] (branch 3 → 4); conv256_1…2; conv256_down_out → [2, 2, 256] (branch 1 → 2, no new channels)
 * mean          average over the 2×2 pixels                        → [256]
 * embedding     256 → 128 linear map, no bias (face-api's {@code fc})  → [128], not normalised
 * </pre>
 * Every layer has its backward and every weight is trainable, so the network can be fine-tuned like the other
 * backbones; freeze it ({@code graph.setTrainable(false)}) for inference.
 */
public final class FaceRecognitionNet {
    /** The mean that face-api subtracts from each RGB channel before dividing by 255. */
    public static final float[] MEAN_RGB = {122.782f, 117.001f, 104.298f};
    public static final int INPUT_SIZE = 150;
    public static final int DESCRIPTOR_SIZE = 128;
    /** The name of the pooled layer: the 256 channels averaged over the last 2 × 2 pixels. */
    public static final String MEAN_LAYER = "mean";
    /** The name of the output layer: the 128-number descriptor. */
    public static final String EMBEDDING_LAYER = "embedding";

    /** The network, from the normalised {@code [150, 150, 3]} input to the descriptor. */
    public final Graph graph;
    /** Every weight under its face-api tensor name ({@link #weightsOf}). */
    public final Map<String, Param> weights;

    public FaceRecognitionNet() {
        Input input = new Input("input", INPUT_SIZE, INPUT_SIZE, 3);
        Layer x = new ReLU("conv32_down/relu", conv("conv32_down", input, 32, 7, 2, Padding.VALID));
        x = new MaxPooling2D("pool", x, 3, 2, Padding.VALID);
        for (int i = 1; i <= 3; i++) x = residual("conv32_" + i, x);
        x = residualDown("conv64_down", x, 64);
        for (int i = 1; i <= 3; i++) x = residual("conv64_" + i, x);
        x = residualDown("conv128_down", x, 128);
        for (int i = 1; i <= 2; i++) x = residual("conv128_" + i, x);
        x = residualDown("conv256_down", x, 256);
        for (int i = 1; i <= 2; i++) x = residual("conv256_" + i, x);
        x = residualDown("conv256_down_out", x, 256);
        Dense embedding = new Dense(EMBEDDING_LAYER, new GlobalAveragePooling2D(MEAN_LAYER, x), DESCRIPTOR_SIZE, false);
        graph = new Graph(input, embedding);
        weights = Collections.unmodifiableMap(weightsOf(graph));
    }

    /**
     * The weights of a graph built as this network (e.g. the backbone of a recogniser), under their face-api names:
     * {@code <block>/conv} convolutions give {@code /conv/filters} and {@code /conv/bias}, {@code <block>/scale} layers
     * {@code /scale/weights} and {@code /scale/biases}, the {@link #EMBEDDING_LAYER} gives {@code fc}. Other layers
     * (a head) have no face-api name and are left out.
     */
    public static Map<String, Param> weightsOf(Graph graph) {
        Map<String, Param> named = new LinkedHashMap<>();
        for (Layer l : graph.layers()) {
            if (l instanceof Conv2D c && c.name.endsWith("/conv")) {
                named.put(c.name + "/filters", c.kernel);
                named.put(c.name + "/bias", c.bias);
            } else if (l instanceof Scale s && s.name.endsWith("/scale")) {
                named.put(s.name + "/weights", s.scale);
                named.put(s.name + "/biases", s.bias);
            } else if (l instanceof Dense d && d.name.equals(EMBEDDING_LAYER)) {
                named.put("fc", d.kernel);
            }
        }
        return named;
    }

    /** face-api's {@code convLayer} without its ReLU: the convolution with its bias, then the per-channel scale. */
    private static Layer conv(String name, Layer x, int filters, int size, int stride, Padding padding) {
        Layer conv = new Conv2D(name + "/conv", x, filters, size, size, stride, stride, padding, true);
        return new Scale(name + "/scale", conv);
    }

    private static Layer residual(String name, Layer x) {
        int channels = x.outputShape()[2];
        Layer conv1 = new ReLU(name + "/conv1/relu", conv(name + "/conv1", x, channels, 3, 1, Padding.SAME));
        Layer conv2 = conv(name + "/conv2", conv1, channels, 3, 1, Padding.SAME);
        return new ReLU(name + "/relu", new Add(name + "/add", conv2, x));
    }

    private static Layer residualDown(String name, Layer x, int channels) {
        Layer conv1 = new ReLU(name + "/conv1/relu", conv(name + "/conv1", x, channels, 3, 2, Padding.VALID));
        Layer branch = conv(name + "/conv2", conv1, channels, 3, 1, Padding.SAME);
        Layer shortcut = new AveragePooling2D(name + "/pool", x, 2, 2, Padding.VALID);
        int extra = channels - x.outputShape()[2];
        if (extra > 0) shortcut = new ChannelPadding(name + "/pad_channels", shortcut, extra);
        if (!Arrays.equals(branch.outputShape(), shortcut.outputShape())) branch = new ZeroPadding2D(name + "/pad", branch, 0, 1, 0, 1);
        return new ReLU(name + "/relu", new Add(name + "/add", shortcut, branch));
    }
}
