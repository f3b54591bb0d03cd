package slice.engine.kernels;

/**
 * The forward of a Winograd convolution, as {@code Conv2D} runs it whichever transform suits its shape
 * ({@link WinogradConv}, {@link WinogradLineConv}, {@link Winograd5x5Conv}): with the kernel, or with its transform
 * {@code U} kept by the caller while the weights stay.
 */
public interface WinogradForward {
    /** Whether a batch of {@code batch} images is computed here (each implementation states its rule). */
    boolean pays(int batch);

    /** Floats of the kernel's transform {@code U} ({@link #transformKernel}). */
    int transformedKernelSize();

    /** {@code u = U}, the transform of {@code kernel} ({@link #transformedKernelSize} floats). */
    void transformKernel(float[] kernel, float[] u);

    /** {@code y = map(conv(x, kernel) + bias)} for {@code batch} images; {@code bias} and {@code map} may be null. */
    void forward(float[] x, int batch, float[] kernel, float[] bias, ColumnMap map, float[] y);

    /** {@link #forward} with {@code u}, the kernel's {@link #transformKernel}, instead of the kernel. */
    void forwardTransformed(float[] x, int batch, float[] u, float[] bias, ColumnMap map, float[] y);
}
