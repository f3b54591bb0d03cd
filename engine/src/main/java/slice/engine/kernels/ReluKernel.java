package slice.engine.kernels;

/**
 * The rectifiers over a flat range {@code [from, to)} of any tensor. Branch-free: with random signs a branch per element
 * mispredicts half the time.
 * <ul>
 *   <li>Clipped ReLU: forward {@code y = min(max(x, 0), max)}; backward {@code dx (+)= x ∈ (0, max) ? dy : 0} (zero
 *       gradient at both kinks, TensorFlow's {@code relu6_grad}); {@code max} may be +∞ (plain ReLU).</li>
 *   <li>Leaky ReLU with slope {@code 0 ≤ α < 1}: forward {@code y = x > 0 ? x : α·x = max(x, α·x)}; backward
 *       {@code dx (+)= x > 0 ? dy : α·dy} (TensorFlow's {@code leaky_relu_grad}: slope α at the kink).</li>
 * </ul>
 * The backward passes add into {@code dx} when {@code add} is true and overwrite it when false.
 */
public interface ReluKernel {
    void forward(float[] x, float[] y, int from, int to, float max);

    void backward(float[] x, float[] dy, float[] dx, int from, int to, float max, boolean add);

    void leakyForward(float[] x, float[] y, int from, int to, float alpha);

    void leakyBackward(float[] x, float[] dy, float[] dx, int from, int to, float alpha, boolean add);
}
