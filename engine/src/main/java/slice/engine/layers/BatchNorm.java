package slice.engine.layers;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Param;

/**
 * Keras {@code BatchNormalization} over the channel axis. Weights in Keras order: {@code gamma} (absent when
 * {@code scale} is false, as in InceptionV3), {@code beta}, {@code moving_mean}, {@code moving_variance}.
 */
public final class BatchNorm extends Layer {
    public final int channels;
    public final float epsilon, momentum;
    /** {@code null} when the layer has no scale (gamma fixed at 1). */
    public final Param gamma;
    public final Param beta, movingMean, movingVariance;

    public BatchNorm(String name, Layer in, boolean scale, float epsilon, float momentum) {
        super(name, in.outputShape(), in);
        int[] s = in.outputShape();
        this.channels = s[s.length - 1];
        this.epsilon = epsilon;
        this.momentum = momentum;
        this.gamma = scale ? Param.trainable(name + "/gamma", channels) : null;
        this.beta = Param.trainable(name + "/beta", channels);
        this.movingMean = Param.state(name + "/moving_mean", channels);
        this.movingVariance = Param.state(name + "/moving_variance", channels);
        if (gamma != null) java.util.Arrays.fill(gamma.value.data, 1f);
        java.util.Arrays.fill(movingVariance.value.data, 1f);
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("BatchNorm.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("BatchNorm.backward: being written"); }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>();
        if (gamma != null) w.add(gamma);
        w.addAll(List.of(beta, movingMean, movingVariance));
        return w;
    }

    @Override public String typeName() { return "BatchNormalization"; }
}
