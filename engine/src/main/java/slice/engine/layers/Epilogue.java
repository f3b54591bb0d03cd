package slice.engine.layers;

import slice.engine.Layer;
import slice.engine.Tensor;
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
    /** {@code null} when only a batch norm is fused. */
    private final ReLU relu;
    private final float[] scale, shift;
    /** The map over {@link #scale} and {@link #shift}: valid once {@link #prepare} has filled them. */
    private final ColumnMap map;

    private Epilogue(int channels, BatchNorm norm, ReLU relu) {
        this.norm = norm;
        this.relu = relu;
        this.scale = norm == null ? null : new float[channels];
        this.shift = norm == null ? null : new float[channels];
        this.map = new ColumnMap(scale, shift, relu == null ? Float.NEGATIVE_INFINITY : 0f,
                relu == null ? Float.POSITIVE_INFINITY : relu.maxValue);
    }

    /**
     * {@code current} (or nothing, when null) followed by {@code next}, or {@code null} when {@code next} cannot be
     * appended: a frozen batch norm over these channels before any ReLU, then one ReLU.
     */
    static Epilogue extend(Epilogue current, int channels, Layer next) {
        BatchNorm norm = current == null ? null : current.norm;
        ReLU relu = current == null ? null : current.relu;
        if (next instanceof BatchNorm bn && norm == null && relu == null && !bn.isTrainable() && bn.channels == channels) {
            return new Epilogue(channels, bn, null);
        }
        if (next instanceof ReLU r && relu == null) return new Epilogue(channels, norm, r);
        return null;
    }

    /**
     * Where the convolution writes: the output buffer of the chain's last layer. The graph makes it the
     * convolution's own buffer too, but another graph's plan may give the last layer a new one (when it is that
     * graph's source), and the chain's output must land where its consumers read it.
     */
    Tensor output() { return (relu != null ? relu : norm).out; }

    /** Folds the batch norm's current moving statistics (weights may change between passes); call once per forward. */
    void prepare() {
        if (norm != null) norm.foldMovingStatistics(scale, shift);
    }

    /** The epilogue as a map over the channels (the columns of a convolution's GEMM), after {@link #prepare}. */
    ColumnMap map() { return map; }
}
