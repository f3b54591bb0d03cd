package slice.engine.layers;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Param;

/** Keras {@code Dense} without activation: {@code kernel [in, units]}, optional {@code bias [units]}. Input {@code [C]}. */
public final class Dense extends Layer {
    public final int in, units;
    public final Param kernel;
    /** {@code null} when {@code useBias} is false. */
    public final Param bias;

    public Dense(String name, Layer input, int units, boolean useBias) {
        super(name, new int[] {units}, input);
        if (input.outputShape().length != 1) throw new IllegalArgumentException(name + ": Dense takes a vector input, got rank " + input.outputShape().length);
        this.in = input.outputShape()[0];
        this.units = units;
        this.kernel = Param.trainable(name + "/kernel", in, units);
        this.bias = useBias ? Param.trainable(name + "/bias", units) : null;
    }

    @Override public void forward(boolean training) { throw new UnsupportedOperationException("Dense.forward: being written"); }

    @Override public void backward() { throw new UnsupportedOperationException("Dense.backward: being written"); }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) in * units; }
}
