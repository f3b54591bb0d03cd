package slice.engine.layers;

import java.util.List;
import slice.engine.Layer;
import slice.engine.kernels.ColumnMap;

/**
 * The layers an inference graph folds into the convolution before them: a frozen {@link BatchNorm} (moving
 * statistics) or a {@link Scale}, then a {@link ReLU}, each optional. The convolution applies it to each output value
 * before storing it: {@code y[p, c] ← min(max(fma(y[p, c], s[c], t[c]), 0), max)} with {@code s = γ/√(moving_var + ε)},
 * {@code t = β − moving_mean·s} (from {@link BatchNorm#foldMovingStatistics}), or the scale's own {@code s = a},
 * {@code t = b}, and {@code max} the ReLU's cap — as a
 * {@link ColumnMap} ({@link #map}) over the channels, which a {@link Conv2D}'s GEMM applies to each tile in registers
 * and a {@link DepthwiseConv2D}'s kernel to each output vector. It is the same fma, then max, then min those layers
 * compute on their own ({@link slice.engine.kernels.BatchNormKernel#affine}, {@link slice.engine.kernels.ReluKernel#forward})
 * over the same numbers, so a fused network gives bit-identical outputs; what it saves is two passes over memory and
 * two activation buffers per convolution. Only a frozen batch norm qualifies: it applies its moving statistics in
 * training too (the Keras rule), so the fused output never depends on the mode. A scale has one mode; the graph fuses
 * it only where no gradient flows, as every fused layer.
 */
final class Epilogue {
    /** The affine step: a batch norm, a scale, or neither ({@code null}) when only a ReLU is fused. */
    private final BatchNorm norm;
    private final Scale affine;
    private final float[] scale, shift;
    /** The map over {@link #scale} and {@link #shift}: valid once {@link #prepare} has filled them. */
    private final ColumnMap map;

    /** The epilogue of {@code chain}, a sequence {@link #accepts} took; {@code null} when the chain is empty. */
    static Epilogue of(int channels, List<Layer> chain) {
        if (chain.isEmpty()) return null;
        BatchNorm norm = chain.get(0) instanceof BatchNorm bn ? bn : null;
        Scale affine = chain.get(0) instanceof Scale s ? s : null;
        ReLU relu = chain.get(chain.size() - 1) instanceof ReLU r ? r : null;
        return new Epilogue(channels, norm, affine, relu);
    }

    private Epilogue(int channels, BatchNorm norm, Scale affine, ReLU relu) {
        this.norm = norm;
        this.affine = affine;
        boolean affineStep = norm != null || affine != null;
        this.scale = affineStep ? new float[channels] : null;
        this.shift = affineStep ? new float[channels] : null;
        this.map = new ColumnMap(scale, shift, relu == null ? Float.NEGATIVE_INFINITY : 0f,
                relu == null ? Float.POSITIVE_INFINITY : relu.maxValue);
    }

    /**
     * Whether {@code next} can follow {@code chain} (the layers already fused, possibly none): a frozen batch norm or a
     * scale over these channels before any ReLU, then one ReLU.
     */
    static boolean accepts(List<Layer> chain, int channels, Layer next) {
        boolean hasAffine = chain.stream().anyMatch(l -> l instanceof BatchNorm || l instanceof Scale);
        boolean hasRelu = chain.stream().anyMatch(l -> l instanceof ReLU);
        if (next instanceof BatchNorm bn) return !hasAffine && !hasRelu && !bn.isTrainable() && bn.channels == channels;
        if (next instanceof Scale s) return !hasAffine && !hasRelu && s.channels == channels;
        return next instanceof ReLU && !hasRelu;
    }

    /** Takes the affine step's current weights (they may change between passes); call once per forward. */
    void prepare() {
        if (norm != null) norm.foldMovingStatistics(scale, shift);
        if (affine != null) {
            System.arraycopy(affine.scale.value.data, 0, scale, 0, scale.length);
            System.arraycopy(affine.bias.value.data, 0, shift, 0, shift.length);
        }
    }

    /** The epilogue as a map over the channels (the columns of a convolution's GEMM), after {@link #prepare}. */
    ColumnMap map() { return map; }
}
