package slice.models;

import java.util.List;
import java.util.stream.Collectors;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.Add;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.Padding;
import slice.engine.layers.ReLU;
import slice.engine.layers.ZeroPadding2D;

/**
 * MobileNetV2 (Sandler et al. 2018) exactly as {@code keras.applications.MobileNetV2} builds it: same layers, same
 * order, same names, so Keras weight files map onto it one to one.
 *
 * <pre>
 * input [S, S, 3]
 * Conv1 3×3/2 same, bn_Conv1, Conv1_relu (ReLU6)             → [S/2, S/2, make_divisible(32α)]
 * 17 inverted residual blocks (expansion t, filters c·α, stride s):
 *   block 0 (t=1): expanded_conv_{depthwise, depthwise_BN, depthwise_relu, project, project_BN}
 *   block k ≥ 1:   block_k_expand 1×1 (t·Cin), _expand_BN, _expand_relu,
 *                  [block_k_pad = correct_pad, when s = 2], block_k_depthwise 3×3 (same, or valid after the pad),
 *                  _depthwise_BN, _depthwise_relu, block_k_project 1×1 (linear bottleneck), _project_BN,
 *                  [block_k_add = input + project_BN, when s = 1 and Cin = Cout]
 * Conv_1 1×1 (1280, or make_divisible(1280α) when α > 1), Conv_1_bn, out_relu
 * global_average_pooling2d                                   → [C]   (the pooled features)
 * [predictions: Dense(classes)]                              → logits (Keras applies softmax here; we leave it
 *                                                              to the loss and to prediction, which need logits)
 * </pre>
 * Convolutions have no bias; every batch norm has epsilon 1e-3 and momentum 0.999; every activation is ReLU6.
 * The no-top model ends at the pooled features (Keras' {@code pooling='avg'}); {@link Graph#cutAt}{@code ("out_relu")}
 * gives the unpooled map.
 */
public final class MobileNetV2 {
    /** The widths Keras publishes ImageNet weights for: the one list every option, check and message uses. */
    public static final List<Float> ALPHAS = List.of(0.35f, 0.5f, 0.75f, 1.0f, 1.3f, 1.4f);
    public static final int MIN_SIZE = 32;
    public static final String FEATURE_LAYER = "global_average_pooling2d";

    private static final float BN_EPSILON = 1e-3f;
    private static final float BN_MOMENTUM = 0.999f;
    private static final float RELU6 = 6f;

    /** (expansion, filters at α = 1, stride) of blocks 0…16, from the paper's table 2 with its repeats unrolled. */
    private static final int[][] BLOCKS = {
        {1, 16, 1},
        {6, 24, 2}, {6, 24, 1},
        {6, 32, 2}, {6, 32, 1}, {6, 32, 1},
        {6, 64, 2}, {6, 64, 1}, {6, 64, 1}, {6, 64, 1},
        {6, 96, 1}, {6, 96, 1}, {6, 96, 1},
        {6, 160, 2}, {6, 160, 1}, {6, 160, 1},
        {6, 320, 1},
    };

    private MobileNetV2() { }

    /**
     * Builds the network for {@code size × size × 3} inputs.
     *
     * @param alpha      width multiplier, one of {@link #ALPHAS}
     * @param size       input height and width, at least {@value #MIN_SIZE}
     * @param includeTop whether to add the {@code predictions} Dense layer after the pooled features
     * @param classes    number of outputs of {@code predictions} (ignored without the top)
     */
    public static Graph build(float alpha, int size, boolean includeTop, int classes) {
        checkAlpha(alpha);
        if (size < MIN_SIZE) throw new IllegalArgumentException("MobileNetV2 needs an input of at least " + MIN_SIZE + " pixels, got " + size);
        if (includeTop && classes < 1) throw new IllegalArgumentException("classes must be positive, got " + classes);

        Input input = new Input("input_1", size, size, 3);
        double a = keras(alpha);
        Layer x = new Conv2D("Conv1", input, makeDivisible(32 * a, 8), 3, 3, 2, 2, Padding.SAME, false);
        x = new BatchNorm("bn_Conv1", x, true, BN_EPSILON, BN_MOMENTUM);
        x = new ReLU("Conv1_relu", x, RELU6);
        for (int id = 0; id < BLOCKS.length; id++) {
            x = invertedResidual(x, id, BLOCKS[id][0], BLOCKS[id][1], BLOCKS[id][2], a);
        }
        int lastFilters = a > 1 ? makeDivisible(1280 * a, 8) : 1280;
        x = new Conv2D("Conv_1", x, lastFilters, 1, 1, 1, 1, Padding.SAME, false);
        x = new BatchNorm("Conv_1_bn", x, true, BN_EPSILON, BN_MOMENTUM);
        x = new ReLU("out_relu", x, RELU6);
        x = new GlobalAveragePooling2D(FEATURE_LAYER, x);
        if (includeTop) x = new Dense("predictions", x, classes, true);
        return new Graph(input, x);
    }

    /** Keras' {@code _inverted_res_block}: expand (1×1), depthwise 3×3, project (1×1, linear), residual add. */
    private static Layer invertedResidual(Layer in, int id, int expansion, int filters, int stride, double alpha) {
        int inChannels = in.outputShape()[2];
        int outChannels = makeDivisible((int) (filters * alpha), 8);
        String prefix = id == 0 ? "expanded_conv_" : "block_" + id + "_";
        Layer x = in;
        if (id > 0) {
            x = new Conv2D(prefix + "expand", x, expansion * inChannels, 1, 1, 1, 1, Padding.SAME, false);
            x = new BatchNorm(prefix + "expand_BN", x, true, BN_EPSILON, BN_MOMENTUM);
            x = new ReLU(prefix + "expand_relu", x, RELU6);
        }
        Padding depthwisePadding = Padding.SAME;
        if (stride == 2) {
            x = correctPad(prefix + "pad", x);
            depthwisePadding = Padding.VALID;
        }
        x = new DepthwiseConv2D(prefix + "depthwise", x, 3, 3, stride, depthwisePadding, false);
        x = new BatchNorm(prefix + "depthwise_BN", x, true, BN_EPSILON, BN_MOMENTUM);
        x = new ReLU(prefix + "depthwise_relu", x, RELU6);
        x = new Conv2D(prefix + "project", x, outChannels, 1, 1, 1, 1, Padding.SAME, false);
        x = new BatchNorm(prefix + "project_BN", x, true, BN_EPSILON, BN_MOMENTUM);
        if (stride == 1 && inChannels == outChannels) x = new Add(prefix + "add", in, x);
        return x;
    }

    /**
     * Keras' {@code imagenet_utils.correct_pad} for a 3×3 stride-2 window: pad 1 on each side of an odd axis, and
     * (0 before, 1 after) on an even one — the same cells TensorFlow's {@code same} padding would add.
     */
    private static Layer correctPad(String name, Layer in) {
        int h = in.outputShape()[0], w = in.outputShape()[1];
        return new ZeroPadding2D(name, in, h % 2, 1, w % 2, 1);
    }

    /**
     * Keras' {@code _make_divisible(v, 8)}: rounds {@code v} to the nearest multiple of {@code divisor} (at least
     * {@code divisor}), going one step up if rounding down lost more than 10%.
     */
    static int makeDivisible(double v, int divisor) {
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * v) rounded += divisor;
        return rounded;
    }

    /** α as the decimal the user wrote (0.35, not 0.3499999940…), so channel rounding matches Keras' float64 Python. */
    private static double keras(float alpha) {
        return Double.parseDouble(Float.toString(alpha));
    }

    static void checkAlpha(float alpha) {
        if (!ALPHAS.contains(alpha)) {
            String choices = ALPHAS.stream().map(String::valueOf).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("MobileNetV2 alpha must be one of " + choices + ", got " + alpha);
        }
    }
}
