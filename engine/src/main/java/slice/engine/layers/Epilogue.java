package slice.engine.layers;

import java.util.List;
import slice.engine.Layer;
import slice.engine.kernels.ColumnMap;

/**
 * The layers an inference graph folds into the convolution before them: a frozen {@link BatchNorm} (moving
 * statistics), then a {@link ReLU}, either optional. The convolution applies it to each output value before storing
 * it: {@code y[p, c] ← min(max(fma(y[p, c], s[c], t[c]), 0), max)} with {@code s = γ/√(moving_var + ε)},
 * {@code t = β − moving_mean·s} (from {@link BatchNorm#foldMovingStatistics}) and {@code max} the ReLU's cap — as a
 * {@link ColumnMap} ({@link #map}) over the channels, which a {@link Conv2D}'s GEMM applies to each tile in registers
 * and a {@link DepthwiseConv2D}'s kernel to each output vector. It is the same fma, then max, then min those layers
 * compute on their own ({@link slice.engine.kernels.BatchNormKernel#affine}, {@link slice.engine.kernels.ReluKernel#forward})
 * over the same numbers, so a fused network gives bit-identical outputs; what it saves is two passes over memory and
 * two activation buffers per convolution. Only a frozen batch norm qualifies: it applies its moving statistics in
 * training too (the Keras rule), so the fused output never depends on the mode.
 */
final class Epilogue {
    /** {@code null} when only a ReLU is fused. */
    private final BatchNorm norm;
    private final float[] scale, shift;
    /** The map over {@link #scale} and {@link #shift}: valid once {@link #prepare} has filled them. */
    private final ColumnMap map;

    /** The epilogue of {@code chain}, a sequence {@link #accepts} took; {@code null} when the chain is empty. */
    static Epilogue of(int channels, List<Layer> chain) {
        if (chain.isEmpty()) return null;
        BatchNorm norm = chain.get(0) instanceof BatchNorm bn ? bn : null;
        ReLU relu = chain.get(chain.size() - 1) instanceof ReLU r ? r : null;
        return new Epilogue(channels, norm, relu);
    }

    private Epilogue(int channels, BatchNorm norm, ReLU relu) {
        this.norm = norm;
        this.scale = norm == null ? null : new float[channels];
        this.shift = norm == null ? null : new float[channels];
        this.map = new ColumnMap(scale, shift, relu == null ? Float.NEGATIVE_INFINITY : 0f,
                relu == null ? Float.POSITIVE_INFINITY : relu.maxValue);
    }

    /**
     * Whether {@code next} can follow {@code chain} (the layers already fused, possibly none): a frozen batch norm over
     * these channels before any ReLU, then one ReLU.
     */
    static boolean accepts(List<Layer> chain, int channels, Layer next) {
        boolean hasNorm = chain.stream().anyMatch(l -> l instanceof BatchNorm);
        boolean hasRelu = chain.stream().anyMatch(l -> l instanceof ReLU);
        if (next instanceof BatchNorm bn) return !hasNorm && !hasRelu && !bn.isTrainable() && bn.channels == channels;
        return next instanceof ReLU && !hasRelu;
    }

    /** Folds the batch norm's current moving statistics (weights may change between passes); call once per forward. */
    void prepare() {
        if (norm != null) norm.foldMovingStatistics(scale, shift);
    }

    /** The epilogue as a map over the channels (the columns of a convolution's GEMM), after {@link #prepare}. */
    ColumnMap map() { return map; }
}
