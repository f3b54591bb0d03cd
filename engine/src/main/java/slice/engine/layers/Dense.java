package slice.engine.layers;

import static slice.engine.kernels.Kernels.GEMM;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;
import slice.engine.kernels.MatrixRows;

/**
 * Keras {@code Dense} without activation: {@code kernel [in, units]}, optional {@code bias [units]}. Input {@code [C]}.
 *
 * <p>Forward, for {@code X [N, in]}: {@code Y = X·W + b}, {@code Y [N, units]}.
 * Backward, with {@code dY = ∂L/∂Y}: {@code dW = Xᵀ·dY}, {@code db = Σ_n dY[n]} (overwritten, only when trainable)
 * and {@code dX (+)= dY·Wᵀ} (written or added as {@link Node#addsToInGrad} says, only when the input wants a gradient).
 * All three products are a {@link slice.engine.kernels.Gemm}, its vector lanes over units (forward, dW) or inputs (dX).
 */
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

    @Override public void forward(Node node, boolean training) {
        float[] x = node.in(0).data, y = node.out().data;
        int n = node.batch();
        if (bias != null) MatrixRows.broadcast(bias.value.data, n, units, y);
        GEMM.gemm(false, false, n, units, in, x, 0, in, kernel.value.data, 0, units, y, 0, units, bias != null);
    }

    @Override public void backward(Node node) {
        float[] x = node.in(0).data, dy = node.grad().data;
        int n = node.batch();
        if (isTrainable()) {
            GEMM.gemm(true, false, in, units, n, x, 0, in, dy, 0, units, kernel.grad.data, 0, units, false);
            if (bias != null) MatrixRows.sumRows(dy, n, units, bias.grad.data);
        }
        if (node.inGrad(0) != null) {
            boolean add = node.addsToInGrad(0);
            GEMM.gemm(false, true, n, in, units, dy, 0, units, kernel.value.data, 0, units, node.inGrad(0).data, 0, in, add);
        }
    }

    @Override public List<Param> weights() {
        List<Param> w = new ArrayList<>(List.of(kernel));
        if (bias != null) w.add(bias);
        return w;
    }

    @Override public long macs() { return (long) in * units; }
}
