package slice.engine.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;
import slice.engine.Parallel;
import slice.engine.kernels.BatchNormKernel;
import slice.engine.kernels.BatchNormKernel.ReluGate;
import slice.engine.kernels.Kernels;
import slice.engine.kernels.RowSource;

/**
 * Keras {@code BatchNormalization} over the channel axis of {@code [N, H, W, C]} or {@code [N, C]}, seen as a
 * matrix {@code x[P, C]} of {@code P = N·H·W} (or {@code N}) pixels. Weights in Keras order: {@code gamma} (absent
 * when {@code scale} is false, as in InceptionV3: γ ≡ 1), {@code beta}, {@code moving_mean}, {@code moving_variance}.
 *
 * <p>Both modes are the per-channel affine map {@code y = x·s + t} with {@code s = γ/√(var + ε)},
 * {@code t = β − mean·s}, folded once per forward:
 * <ul>
 *   <li><b>Inference</b> (also a frozen layer in training, the Keras rule): mean and var are the moving statistics.
 *       Backward is exactly that affine map: {@code ∂L/∂x = s·∂L/∂y}, {@code ∂L/∂β = Σ_p ∂L/∂y},
 *       {@code ∂L/∂γ = Σ_p ∂L/∂y·x̂} with {@code x̂ = (x − mean)/√(var + ε)}.</li>
 *   <li><b>Training</b> ({@link #trainingMode}): mean and var are the batch statistics over the {@code P} pixels,
 *       var the biased {@code (1/P) Σ (x − mean)²} (one pass over memory, blocks combined exactly:
 *       {@link #batchMoments}). Then the moving statistics are updated as in Keras 3:
 *       {@code moving = momentum·moving + (1 − momentum)·batch}, with the same biased variance — what Keras 3's
 *       {@code ops.moments} gives (Keras 2.1 and TensorFlow's fused kernel used the unbiased {@code P/(P−1)}
 *       correction; for {@code P} in the thousands the difference is negligible). Backward is the full
 *       batch-norm gradient, with {@code g = ∂L/∂y}, {@code σ = √(var + ε)}:
 *       {@code ∂L/∂x = (γ/σ)·(g − mean_p(g) − x̂·mean_p(g·x̂))}, {@code ∂L/∂β = Σ g}, {@code ∂L/∂γ = Σ g·x̂}.</li>
 * </ul>
 * <p>With a {@link ReLU} after it ({@link #canFuseWithGradient}: a graph fuses the pair wherever the ReLU is this
 * layer's only consumer), the layer applies the ReLU too, {@code y = min(max(x·s + t, 0), max)}, into the ReLU's
 * output, and its backward starts from the ReLU's gradient {@code ∂L/∂(x·s + t) = [0 < x·s + t < max]·∂L/∂y}, the
 * ReLU's input recomputed from {@code x} by the forward's own fma: the numbers of the two layers run one after the
 * other, without the ReLU's two passes over memory and its two buffers.
 *
 * <p>In training mode, when this layer alone reads its input in a planned graph ({@link Node#canDeferInGrad}), the
 * backward hands ∂L/∂x to the layer before as rows computed when read ({@link Node#deferInGrad}): a 1×1
 * convolution's backward computes them chunk by chunk into a buffer that stays in cache and reads them there
 * ({@link slice.engine.kernels.Gemm#pointwiseBackward}), so ∂L/∂x is never written to memory and read back; any
 * other layer gets them written into its gradient buffer. The numbers are the same.
 *
 * <p>The per-channel loops are {@link BatchNormKernel}s (channels are the vector lanes). Per-channel sums are formed in
 * blocks of {@value #SUM_BLOCK} pixels, in parallel, each into its own partial row, and the partials are then added
 * in block order: the result does not depend on the thread count, and a float sum over a 400 000-pixel batch keeps
 * its precision ({@code BatchNormTest}: the moments of 401 408 pixels within 10⁻⁶ (mean) and 10⁻⁵ (variance) of double precision's).
 */
public final class BatchNorm extends Layer {
    private static final BatchNormKernel KERNEL = Kernels.BATCH_NORM;
    /** Pixels summed into one partial before it is added to a channel's total. */
    static final int SUM_BLOCK = 256;
    /** Floats per parallel task of the elementwise maps. */
    private static final int MAP_CHUNK = 1 << 14;

    public final int channels;
    public final float epsilon, momentum;
    /** {@code null} when the layer has no scale (gamma fixed at 1). */
    public final Param gamma;
    public final Param beta, movingMean, movingVariance;

    /** What one graph keeps of this layer's last forward for its backward, and the backward's own scratch. */
    private static final class Saved {
        /** The statistics of the last forward and its affine map, C floats each. */
        final float[] mean, variance, invStd, scale, shift;
        /** Per-channel backward sums and coefficients, C floats each. */
        final float[] sumDy, sumDyXc, coefCentred, coefConst;
        /** Per-block partial sums {@code [block][C]}, two sets for the two gradient sums; the blocks' own means. */
        final float[][] partialA, partialB, blockMean;
        /** The variance's sum of squared deviations, combined over blocks in double. */
        final double[] squares;
        /** Whether the last forward used batch statistics (training mode) or the moving ones. */
        boolean batchStatistics;
        /** The fused ReLU's gate over {@link #scale} and {@link #shift} and its cap, {@code null} without one. */
        final ReluGate gate;

        /** {@code relu}: the ReLU this layer applies after itself, or {@code null}. */
        Saved(int channels, int blocks, ReLU relu) {
            mean = new float[channels];
            variance = new float[channels];
            invStd = new float[channels];
            scale = new float[channels];
            shift = new float[channels];
            sumDy = new float[channels];
            sumDyXc = new float[channels];
            coefCentred = new float[channels];
            coefConst = new float[channels];
            partialA = new float[blocks][channels];
            partialB = new float[blocks][channels];
            blockMean = new float[blocks][channels];
            squares = new double[channels];
            gate = relu == null ? null : new ReluGate(scale, shift, relu.maxValue);
        }
    }

    public BatchNorm(String name, Layer in, boolean scale, float epsilon, float momentum) {
        super(name, in.outputShape(), in);
        int[] s = in.outputShape();
        if (s.length != 1 && s.length != 3) throw new IllegalArgumentException(name + ": BatchNorm takes [H, W, C] or [C], got " + Arrays.toString(s));
        if (!(epsilon > 0)) throw new IllegalArgumentException(name + ": epsilon must be positive");
        this.channels = s[s.length - 1];
        this.epsilon = epsilon;
        this.momentum = momentum;
        this.gamma = scale ? Param.trainable(name + "/gamma", channels) : null;
        this.beta = Param.trainable(name + "/beta", channels);
        this.movingMean = Param.state(name + "/moving_mean", channels);
        this.movingVariance = Param.state(name + "/moving_variance", channels);
        if (gamma != null) Arrays.fill(gamma.value.data, 1f);
        Arrays.fill(movingVariance.value.data, 1f);
    }

    @Override protected Object newState(Node node, int batchCapacity) {
        ReLU relu = node.fusedAfter().isEmpty() ? null : (ReLU) node.fusedAfter().get(0);
        return new Saved(channels, (batchCapacity * (outputSize() / channels) + SUM_BLOCK - 1) / SUM_BLOCK, relu);
    }

    /** A ReLU after this layer is applied by it, forward and backward (see the class comment). */
    @Override protected boolean canFuseWithGradient(Layer next) { return next instanceof ReLU; }

    private float gammaAt(int c) { return gamma == null ? 1f : gamma.value.data[c]; }

    @Override public void forward(Node node, boolean training) {
        Saved s = (Saved) node.state();
        float[] x = node.in(0).data;
        int pixels = node.out().size() / channels;
        s.batchStatistics = trainingMode(training);
        if (s.batchStatistics) {
            batchMoments(s, x, pixels);
            updateMovingStatistics(s.mean, s.variance);
        } else {
            System.arraycopy(movingMean.value.data, 0, s.mean, 0, channels);
            System.arraycopy(movingVariance.value.data, 0, s.variance, 0, channels);
        }
        for (int c = 0; c < channels; c++) s.invStd[c] = invStd(s.variance[c]);
        fold(s.mean, s.variance, s.scale, s.shift);
        float[] y = node.out().data, scale = s.scale, shift = s.shift;
        if (s.gate == null) {
            mapBackwards(pixels, (p0, p1) -> KERNEL.affine(x, y, p0, p1, channels, scale, shift));
        } else {
            float max = s.gate.max();
            mapBackwards(pixels, (p0, p1) -> KERNEL.affineRelu(x, y, p0, p1, channels, scale, shift, max));
        }
    }

    private float invStd(float variance) { return (float) (1.0 / Math.sqrt(variance + (double) epsilon)); }

    /** The affine map of both modes, per channel: {@code s = γ/√(var + ε)}, {@code t = β − mean·s}. */
    private void fold(float[] mean, float[] variance, float[] s, float[] t) {
        for (int c = 0; c < channels; c++) {
            s[c] = gammaAt(c) * invStd(variance[c]);
            t[c] = beta.value.data[c] - mean[c] * s[c];
        }
    }

    /**
     * The inference map's {@code s} and {@code t} from the moving statistics, for a convolution that applies this
     * layer as its {@link Epilogue}: the same numbers the layer's own inference forward uses.
     */
    void foldMovingStatistics(float[] s, float[] t) {
        fold(movingMean.value.data, movingVariance.value.data, s, t);
    }

    /**
     * Batch statistics, mean = (1/P) Σ x and variance = (1/P) Σ (x − mean)², in one pass over memory: each block of
     * {@value #SUM_BLOCK} pixels gets, in parallel, its sum {@code S_b} and then, while it is in cache, its squares
     * centred on its own mean {@code m_b = S_b / n_b}: {@code Q_b = Σ_b (x − m_b)²}. Then, in block order, the mean is
     * {@code (Σ_b S_b) / P} (the float partials added as {@link #sumOverPixels} adds them) and the variance combines
     * the blocks exactly (Chan, Golub and LeVeque): {@code Σ (x − mean)² = Σ_b [Q_b + n_b·(m_b − mean)²]}, in double.
     */
    private void batchMoments(Saved s, float[] x, int pixels) {
        float[] mean = s.mean, variance = s.variance;
        float[][] sums = s.partialA, blockSquares = s.partialB, blockMean = s.blockMean;
        int blocks = (pixels + SUM_BLOCK - 1) / SUM_BLOCK;
        Parallel.forRange(blocks, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int p0 = b * SUM_BLOCK, p1 = Math.min(p0 + SUM_BLOCK, pixels);
                Arrays.fill(sums[b], 0f);
                Arrays.fill(blockSquares[b], 0f);
                KERNEL.sum(x, p0, p1, channels, sums[b]);
                for (int c = 0; c < channels; c++) blockMean[b][c] = sums[b][c] / (p1 - p0);
                KERNEL.centredSquares(x, p0, p1, channels, blockMean[b], blockSquares[b]);
            }
        });
        Arrays.fill(mean, 0f);
        for (int b = 0; b < blocks; b++) for (int c = 0; c < channels; c++) mean[c] += sums[b][c];
        for (int c = 0; c < channels; c++) mean[c] /= pixels;
        Arrays.fill(s.squares, 0);
        for (int b = 0; b < blocks; b++) {
            int n = Math.min(SUM_BLOCK, pixels - b * SUM_BLOCK);
            for (int c = 0; c < channels; c++) {
                double d = (double) blockMean[b][c] - mean[c];
                s.squares[c] += blockSquares[b][c] + n * d * d;
            }
        }
        for (int c = 0; c < channels; c++) variance[c] = (float) (s.squares[c] / pixels);
    }

    /**
     * Copies out the batch statistics (mean, biased variance) that this layer's last forward in {@code node}'s graph
     * normalised with; that forward must have been in training mode.
     */
    public void lastBatchStatistics(Node node, float[] meanOut, float[] varianceOut) {
        Saved s = (Saved) node.state();
        if (!s.batchStatistics) throw new IllegalStateException(name + ": the last forward used the moving statistics");
        System.arraycopy(s.mean, 0, meanOut, 0, channels);
        System.arraycopy(s.variance, 0, varianceOut, 0, channels);
    }

    /** moving = momentum·moving + (1 − momentum)·batch, for the mean and the (biased) variance. */
    private void updateMovingStatistics(float[] mean, float[] variance) {
        float[] mm = movingMean.value.data, mv = movingVariance.value.data;
        for (int c = 0; c < channels; c++) {
            mm[c] = mm[c] * momentum + mean[c] * (1f - momentum);
            mv[c] = mv[c] * momentum + variance[c] * (1f - momentum);
        }
    }

    @Override public void backward(Node node) {
        Saved s = (Saved) node.state();
        float[] x = node.in(0).data, dy = node.grad().data, mean = s.mean, scale = s.scale;
        ReluGate gate = s.gate;
        int pixels = node.out().size() / channels;
        boolean paramGrads = isTrainable();
        float[] dx = node.inGrad(0) == null ? null : node.inGrad(0).data;
        boolean defer = dx != null && s.batchStatistics && node.canDeferInGrad(0);
        boolean add = dx != null && !defer && node.addsToInGrad(0);
        if (paramGrads || s.batchStatistics) {
            BlockSum sums = gate == null ? (p0, p1, g, gx) -> KERNEL.gradientSums(dy, x, p0, p1, channels, mean, g, gx)
                    : (p0, p1, g, gx) -> KERNEL.gatedGradientSums(dy, x, p0, p1, channels, mean, gate, g, gx);
            sumOverPixels(s.partialA, s.partialB, channels, pixels, sums, s.sumDy, s.sumDyXc);
        }
        if (paramGrads) {
            // ∂L/∂β = Σ g ;  ∂L/∂γ = Σ g·x̂ = invStd · Σ g·(x − mean)
            System.arraycopy(s.sumDy, 0, beta.grad.data, 0, channels);
            if (gamma != null) for (int c = 0; c < channels; c++) gamma.grad.data[c] = s.sumDyXc[c] * s.invStd[c];
        }
        if (dx == null) return;
        if (!s.batchStatistics) {
            if (gate == null) mapBackwards(pixels, (p0, p1) -> KERNEL.scaledGradient(dy, dx, p0, p1, channels, scale, add));
            else mapBackwards(pixels, (p0, p1) -> KERNEL.gatedScaledGradient(dy, x, dx, p0, p1, channels, scale, gate, add));
            return;
        }
        // ∂L/∂x = s·g − s·mean(g) − s·x̂·mean(g·x̂) = s·g + [−s·invStd²·Σg(x−mean)/P]·(x − mean) + [−s·Σg/P]
        float[] coefCentred = s.coefCentred, coefConst = s.coefConst;
        for (int c = 0; c < channels; c++) {
            coefCentred[c] = -scale[c] * s.invStd[c] * s.invStd[c] * s.sumDyXc[c] / pixels;
            coefConst[c] = -scale[c] * s.sumDy[c] / pixels;
        }
        RowMap rows = gate == null
                ? (p0, p1, out, start) -> KERNEL.normalizedGradient(dy, x, out, start, p0, p1, channels, mean, scale,
                        coefCentred, coefConst, add)
                : (p0, p1, out, start) -> KERNEL.gatedNormalizedGradient(dy, x, out, start, p0, p1, channels, mean, scale,
                        coefCentred, coefConst, gate, add);
        if (defer) node.deferInGrad(0, new DeferredRows(pixels, channels, rows));
        else mapBackwards(pixels, (p0, p1) -> rows.fill(p0, p1, dx, p0 * channels));
    }

    /** Rows {@code [p0, p1)} of ∂L/∂x written into {@code out} from index {@code start} on. */
    @FunctionalInterface
    private interface RowMap {
        void fill(int p0, int p1, float[] out, int start);
    }

    /**
     * ∂L/∂x of the last backward in training mode, handed to the layer before as rows computed when it reads them
     * ({@link Node#deferInGrad}): a 1×1 convolution then consumes them chunk by chunk while each chunk is in cache,
     * instead of this layer writing the whole gradient to memory and the convolution reading it back.
     */
    private record DeferredRows(int rows, int width, RowMap map) implements RowSource {
        @Override public void fill(int from, int to, float[] dst, int offset) { map.fill(from, to, dst, offset); }
    }

    /**
     * Runs an elementwise map over pixels {@code [0, pixels)} in parallel, each thread's share walked from its end
     * back to its start in steps of {@value #MAP_CHUNK} floats (each step itself forwards). The pass before a map
     * (the statistics, the gradient sums, or the layer before) walked forwards, so the pixels it touched last, still
     * in the last-level cache when the tensor is larger than it, are the first the map reads. Only the order of
     * independent elements changes: the values are the same.
     */
    private void mapBackwards(int pixels, Parallel.RangeBody body) {
        Parallel.forRangeBackwards(pixels, Math.max(1, MAP_CHUNK / channels), body);
    }

    /** A per-channel sum over pixels {@code [p0, p1)}, added into one or two accumulators of C floats. */
    @FunctionalInterface
    interface BlockSum {
        void run(int p0, int p1, float[] a, float[] b);
    }

    /**
     * {@code totalA} (and {@code totalB} unless null) = the sum over all {@code pixels} of {@code body}: blocks of
     * {@value #SUM_BLOCK} pixels summed in parallel into their own partial rows (disjoint outputs; {@code partialA} and
     * {@code partialB} have a row of {@code channels} floats per block), then the partials added in block order — the
     * same numbers for any thread count. {@link Scale} sums its gradients this way too.
     */
    static void sumOverPixels(float[][] partialA, float[][] partialB, int channels, int pixels, BlockSum body,
                              float[] totalA, float[] totalB) {
        int blocks = (pixels + SUM_BLOCK - 1) / SUM_BLOCK;
        Parallel.forRange(blocks, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                Arrays.fill(partialA[b], 0f);
                Arrays.fill(partialB[b], 0f);
                body.run(b * SUM_BLOCK, Math.min((b + 1) * SUM_BLOCK, pixels), partialA[b], partialB[b]);
            }
        });
        Arrays.fill(totalA, 0f);
        if (totalB != null) Arrays.fill(totalB, 0f);
        for (int b = 0; b < blocks; b++) {
            for (int c = 0; c < channels; c++) totalA[c] += partialA[b][c];
            if (totalB != null) for (int c = 0; c < channels; c++) totalB[c] += partialB[b][c];
        }
    }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>();
        if (gamma != null) w.add(gamma);
        w.addAll(List.of(beta, movingMean, movingVariance));
        return w;
    }

    @Override public String typeName() { return "BatchNormalization"; }
}
