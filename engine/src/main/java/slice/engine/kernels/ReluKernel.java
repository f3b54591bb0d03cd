package slice.engine.kernels;

/**
 * Clipped ReLU over a flat range {@code [from, to)} of any tensor:
 * forward {@code y = min(max(x, 0), max)}; backward {@code dx += x ∈ (0, max) ? dy : 0} (zero gradient at both kinks,
 * TensorFlow's {@code relu6_grad}); {@code max} may be +∞ (plain ReLU). Branch-free: with random signs a branch
 * per element mispredicts half the time.
 */
public interface ReluKernel {
    void forward(float[] x, float[] y, int from, int to, float max);

    void backward(float[] x, float[] dy, float[] dx, int from, int to, float max);
}
