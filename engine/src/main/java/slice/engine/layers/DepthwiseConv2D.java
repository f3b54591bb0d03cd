package slice.engine.layers;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Param;

/** Keras {@code DepthwiseConv2D} (depth multiplier 1): {@code depthwise_kernel [kh, kw, C, 1]}, optional {@code bias [C]}. */
public final class DepthwiseConv2D extends Layer {
    public final int kh, kw, stride, channels;
    public final Padding padding;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;

    public DepthwiseConv2D(String name, Layer in, int kh, int kw, int stride, Padding padding, boolean useBias) {
        super(name, new int[] {
                padding.outSize(in.outputShape()[0], kh, stride),
                padding.outSize(in.outputShape()[1], kw, stride), in.outputShape()[2]}, in);
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.channels = in.outputShape()[2];
        this.padding = padding;
        this.kernel = Param.trainable(name + "/depthwise_kernel", kh, kw, channels, 1);
        this.bias = useBias ? Param.trainable(name + "/bias", channels) : null;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("DepthwiseConv2D.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("DepthwiseConv2D.backward: being written"); }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) outputSize() * kh * kw; }
}
