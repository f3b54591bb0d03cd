package slice.engine.layers;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Param;

/** Keras {@code Conv2D}: weights {@code kernel [kh, kw, Cin, Cout]} and optional {@code bias [Cout]}. */
public final class Conv2D extends Layer {
    public final int kh, kw, strideH, strideW, cin, cout;
    public final Padding padding;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;

    public Conv2D(String name, Layer in, int filters, int kh, int kw, int strideH, int strideW, Padding padding, boolean useBias) {
        super(name, new int[] {
                padding.outSize(in.outputShape()[0], kh, strideH),
                padding.outSize(in.outputShape()[1], kw, strideW), filters}, in);
        this.kh = kh;
        this.kw = kw;
        this.strideH = strideH;
        this.strideW = strideW;
        this.cin = in.outputShape()[2];
        this.cout = filters;
        this.padding = padding;
        this.kernel = Param.trainable(name + "/kernel", kh, kw, cin, cout);
        this.bias = useBias ? Param.trainable(name + "/bias", cout) : null;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("Conv2D.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("Conv2D.backward: being written"); }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) outputSize() * kh * kw * cin; }
}
