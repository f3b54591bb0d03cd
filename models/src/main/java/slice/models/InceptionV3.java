package slice.models;

import java.util.HashMap;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.layers.AveragePooling2D;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Concatenate;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.MaxPooling2D;
import slice.engine.layers.Padding;
import slice.engine.layers.ReLU;

/**
 * InceptionV3 (Szegedy et al. 2015) exactly as {@code keras.applications.InceptionV3} builds it: same layers in the
 * same creation order, with Keras 2's automatic names ({@code conv2d_1…94}, {@code batch_normalization_1…94},
 * {@code activation_1…94}, {@code max_pooling2d_1…4}, {@code average_pooling2d_1…9}, {@code concatenate_1…2}) and the
 * explicit ones ({@code mixed0…mixed10}, {@code mixed9_0}, {@code mixed9_1}, {@code avg_pool}, {@code predictions}).
 *
 * <pre>
 * input [S, S, 3]                                  S = 299 → shapes below
 * stem: conv 3×3/2 valid (32), 3×3 valid (32), 3×3 same (64), maxpool 3×3/2,
 *       conv 1×1 valid (80), 3×3 valid (192), maxpool 3×3/2                 → [35, 35, 192]
 * mixed0…2  (35×35): 1×1 | 1×1→5×5 | 1×1→3×3→3×3 | avgpool→1×1             → 256, 288, 288
 * mixed3    (→17×17): 3×3/2 | 1×1→3×3→3×3/2 | maxpool/2                    → 768
 * mixed4…7  (17×17): 1×1 | 1×1→1×7→7×1 | 1×1→7×1→1×7→7×1→1×7 | avgpool→1×1  → 768
 * mixed8    (→8×8):  1×1→3×3/2 | 1×1→1×7→7×1→3×3/2 | maxpool/2             → 1280
 * mixed9,10 (8×8):   1×1 | 1×1→(1×3 ‖ 3×1) | 1×1→3×3→(1×3 ‖ 3×1) | avgpool→1×1 → 2048
 * avg_pool (global average)                                                 → [2048] (the pooled features)
 * [predictions: Dense(classes)]                                             → logits
 * </pre>
 * Every "conv" is Keras' {@code conv2d_bn}: Conv2D without bias, BatchNormalization without gamma ({@code scale=False},
 * epsilon 1e-3, momentum 0.99), ReLU. Pooling branches average over real cells only ({@code same} padding); max
 * pools are {@code valid}. Branches are concatenated along channels in the order listed. Keras applies softmax in
 * {@code predictions}; we output logits and leave softmax to the loss and to prediction. The no-top model ends at
 * {@code avg_pool} (Keras' {@code pooling='avg'}); {@link Graph#cutAt}{@code ("mixed10")} gives the unpooled map.
 */
public final class InceptionV3 {
    public static final int MIN_SIZE = 75;
    public static final String FEATURE_LAYER = "avg_pool";

    private static final float BN_EPSILON = 1e-3f;
    private static final float BN_MOMENTUM = 0.99f;

    /** Hands out Keras 2's automatic layer names, {@code prefix_1, prefix_2, …} per prefix, in creation order. */
    private final Map<String, Integer> counters = new HashMap<>();

    private InceptionV3() { }

    /**
     * Builds the network for {@code size × size × 3} inputs.
     *
     * @param size       input height and width, at least {@value #MIN_SIZE}
     * @param includeTop whether to add the {@code predictions} Dense layer after the pooled features
     * @param classes    number of outputs of {@code predictions} (ignored without the top)
     */
    public static Graph build(int size, boolean includeTop, int classes) {
        if (size < MIN_SIZE) throw new IllegalArgumentException("InceptionV3 needs an input of at least " + MIN_SIZE + " pixels, got " + size);
        if (includeTop && classes < 1) throw new IllegalArgumentException("classes must be positive, got " + classes);
        return new InceptionV3().network(size, includeTop, classes);
    }

    private Graph network(int size, boolean includeTop, int classes) {
        Input input = new Input("input_1", size, size, 3);
        Layer x = convBn(input, 32, 3, 3, 2, Padding.VALID);
        x = convBn(x, 32, 3, 3, 1, Padding.VALID);
        x = convBn(x, 64, 3, 3, 1, Padding.SAME);
        x = maxPool(x);
        x = convBn(x, 80, 1, 1, 1, Padding.VALID);
        x = convBn(x, 192, 3, 3, 1, Padding.VALID);
        x = maxPool(x);

        for (int i = 0; i < 3; i++) x = block35(x, i == 0 ? 32 : 64, "mixed" + i);
        x = reduction17(x);
        for (int i = 4; i <= 7; i++) x = block17(x, i == 4 ? 128 : i == 7 ? 192 : 160, "mixed" + i);
        x = reduction8(x);
        for (int i = 0; i < 2; i++) x = block8(x, i);

        x = new GlobalAveragePooling2D(FEATURE_LAYER, x);
        if (includeTop) x = new Dense("predictions", x, classes, true);
        return new Graph(input, x);
    }

    /** mixed0…2: 1×1 (64) | 1×1 (48) → 5×5 (64) | 1×1 (64) → 3×3 (96) → 3×3 (96) | avgpool → 1×1 (poolFilters). */
    private Layer block35(Layer x, int poolFilters, String name) {
        Layer b1x1 = convBn(x, 64, 1, 1);
        Layer b5x5 = convBn(x, 48, 1, 1);
        b5x5 = convBn(b5x5, 64, 5, 5);
        Layer b3x3dbl = convBn(x, 64, 1, 1);
        b3x3dbl = convBn(b3x3dbl, 96, 3, 3);
        b3x3dbl = convBn(b3x3dbl, 96, 3, 3);
        Layer pool = convBn(avgPool(x), poolFilters, 1, 1);
        return new Concatenate(name, b1x1, b5x5, b3x3dbl, pool);
    }

    /** mixed3, 35×35 → 17×17: 3×3/2 (384) | 1×1 (64) → 3×3 (96) → 3×3/2 (96) | maxpool 3×3/2. */
    private Layer reduction17(Layer x) {
        Layer b3x3 = convBn(x, 384, 3, 3, 2, Padding.VALID);
        Layer b3x3dbl = convBn(x, 64, 1, 1);
        b3x3dbl = convBn(b3x3dbl, 96, 3, 3);
        b3x3dbl = convBn(b3x3dbl, 96, 3, 3, 2, Padding.VALID);
        Layer pool = maxPool(x);
        return new Concatenate("mixed3", b3x3, b3x3dbl, pool);
    }

    /** mixed4…7, factorised 7×7 with {@code c} inner channels: 1×1 | 1×1→1×7→7×1 | 1×1→7×1→1×7→7×1→1×7 | avgpool→1×1. */
    private Layer block17(Layer x, int c, String name) {
        Layer b1x1 = convBn(x, 192, 1, 1);
        Layer b7x7 = convBn(x, c, 1, 1);
        b7x7 = convBn(b7x7, c, 1, 7);
        b7x7 = convBn(b7x7, 192, 7, 1);
        Layer b7x7dbl = convBn(x, c, 1, 1);
        b7x7dbl = convBn(b7x7dbl, c, 7, 1);
        b7x7dbl = convBn(b7x7dbl, c, 1, 7);
        b7x7dbl = convBn(b7x7dbl, c, 7, 1);
        b7x7dbl = convBn(b7x7dbl, 192, 1, 7);
        Layer pool = convBn(avgPool(x), 192, 1, 1);
        return new Concatenate(name, b1x1, b7x7, b7x7dbl, pool);
    }

    /** mixed8, 17×17 → 8×8: 1×1 (192) → 3×3/2 (320) | 1×1 → 1×7 → 7×1 → 3×3/2 (192) | maxpool 3×3/2. */
    private Layer reduction8(Layer x) {
        Layer b3x3 = convBn(x, 192, 1, 1);
        b3x3 = convBn(b3x3, 320, 3, 3, 2, Padding.VALID);
        Layer b7x7x3 = convBn(x, 192, 1, 1);
        b7x7x3 = convBn(b7x7x3, 192, 1, 7);
        b7x7x3 = convBn(b7x7x3, 192, 7, 1);
        b7x7x3 = convBn(b7x7x3, 192, 3, 3, 2, Padding.VALID);
        Layer pool = maxPool(x);
        return new Concatenate("mixed8", b3x3, b7x7x3, pool);
    }

    /** mixed9 ({@code i = 0}) and mixed10: 1×1 (320) | 1×1 (384) → (1×3 ‖ 3×1) | 1×1 (448) → 3×3 → (1×3 ‖ 3×1) | avgpool → 1×1 (192). */
    private Layer block8(Layer x, int i) {
        Layer b1x1 = convBn(x, 320, 1, 1);
        Layer b3x3 = convBn(x, 384, 1, 1);
        Layer b3x3a = convBn(b3x3, 384, 1, 3);
        Layer b3x3b = convBn(b3x3, 384, 3, 1);
        b3x3 = new Concatenate("mixed9_" + i, b3x3a, b3x3b);
        Layer b3x3dbl = convBn(x, 448, 1, 1);
        b3x3dbl = convBn(b3x3dbl, 384, 3, 3);
        Layer b3x3dblA = convBn(b3x3dbl, 384, 1, 3);
        Layer b3x3dblB = convBn(b3x3dbl, 384, 3, 1);
        b3x3dbl = new Concatenate(next("concatenate"), b3x3dblA, b3x3dblB);
        Layer pool = convBn(avgPool(x), 192, 1, 1);
        return new Concatenate("mixed" + (9 + i), b1x1, b3x3, b3x3dbl, pool);
    }

    /** Keras' {@code conv2d_bn} with stride 1 and {@code same} padding. */
    private Layer convBn(Layer x, int filters, int kh, int kw) {
        return convBn(x, filters, kh, kw, 1, Padding.SAME);
    }

    /** Keras' {@code conv2d_bn}: Conv2D (no bias) → BatchNormalization (no gamma) → ReLU. */
    private Layer convBn(Layer x, int filters, int kh, int kw, int stride, Padding padding) {
        x = new Conv2D(next("conv2d"), x, filters, kh, kw, stride, stride, padding, false);
        x = new BatchNorm(next("batch_normalization"), x, false, BN_EPSILON, BN_MOMENTUM);
        return new ReLU(next("activation"), x);
    }

    /** 3×3 stride-2 {@code valid} max pooling. */
    private Layer maxPool(Layer x) {
        return new MaxPooling2D(next("max_pooling2d"), x, 3, 2, Padding.VALID);
    }

    /** 3×3 stride-1 {@code same} average pooling (padded cells not counted). */
    private Layer avgPool(Layer x) {
        return new AveragePooling2D(next("average_pooling2d"), x, 3, 1, Padding.SAME);
    }

    private String next(String prefix) {
        return prefix + "_" + counters.merge(prefix, 1, Integer::sum);
    }
}
