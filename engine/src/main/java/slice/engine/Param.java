package slice.engine;

/**
 * One named weight tensor of a layer, e.g. {@code Conv1/kernel}. Trainable parameters carry a gradient
 * buffer of the same shape, written by the layer's backward pass; state such as batch-norm moving statistics
 * has {@code grad == null} and is never touched by an optimiser.
 *
 * <p>Shapes follow Keras exactly (a Conv2D kernel is {@code [kh, kw, Cin, Cout]}), so importing a Keras file is a
 * plain copy and our in-memory layout is also the layout of the GEMM that consumes it.
 */
public final class Param {
    public final String name;
    public final Tensor value;
    /** Gradient of the loss with respect to {@link #value}; {@code null} for non-trainable state. */
    public final Tensor grad;

    private Param(String name, Tensor value, Tensor grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    /** A trainable parameter with a gradient buffer. */
    public static Param trainable(String name, int... shape) {
        return new Param(name, new Tensor(shape), new Tensor(shape));
    }

    /** Non-trainable state (e.g. moving mean): saved and loaded, never optimised. */
    public static Param state(String name, int... shape) {
        return new Param(name, new Tensor(shape), null);
    }

    public boolean isTrainable() { return grad != null; }

    @Override public String toString() { return name + value; }
}
