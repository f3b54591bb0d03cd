package slice.engine;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order; images are NHWC.
 *
 * <p>For a rank-4 tensor of shape {@code [N, H, W, C]} the element {@code (n, y, x, c)} lives at
 * {@code data[((n * H + y) * W + x) * C + c]}: the channels of one pixel are contiguous, which is what lets
 * a 1×1 convolution be a plain GEMM over {@code [N·H·W, C]} and lets depthwise kernels vectorise over channels.
 *
 * <p>The batch dimension (dimension 0) may shrink below the capacity the buffer was allocated for
 * ({@link #setBatch}): a model's buffers are allocated once for its largest batch and reused for smaller
 * ones (the last batch of an epoch) instead of being allocated again.
 */
public final class Tensor {
    private final int[] shape;
    /** The backing array; it may be longer than {@link #size()} (capacity for a larger batch). */
    public final float[] data;

    /** A zero-filled tensor of the given shape. */
    public Tensor(int... shape) {
        this.shape = shape.clone();
        this.data = new float[checkedSize(shape)];
    }

    private Tensor(float[] data, int[] shape) {
        this.shape = shape.clone();
        this.data = data;
        if (checkedSize(shape) > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + checkedSize(shape) + " floats, array has " + data.length);
        }
    }

    /** {@code [n, ...sample]}: a per-sample shape with the batch dimension prepended. */
    public static int[] withBatch(int n, int[] sample) {
        int[] s = new int[sample.length + 1];
        s[0] = n;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }

    /** Wraps an existing array (not copied). */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    private static int checkedSize(int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            size *= d;
        }
        if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        return (int) size;
    }

    /** The shape (a copy). */
    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i]; }
    /** Number of elements of the current shape (not the capacity). */
    public int size() { return checkedSize(shape); }
    /** Elements per batch item: the product of all dimensions but the first. */
    public int sampleSize() {
        int s = 1;
        for (int i = 1; i < shape.length; i++) s *= shape[i];
        return s;
    }

    /** Sets dimension 0 to {@code n}; the backing array must be large enough. */
    public Tensor setBatch(int n) {
        if ((long) n * sampleSize() > data.length) {
            throw new IllegalArgumentException("batch " + n + " exceeds capacity " + data.length / Math.max(1, sampleSize()));
        }
        shape[0] = n;
        return this;
    }

    /** Zeroes the current extent. */
    public void zero() { Arrays.fill(data, 0, size(), 0f); }

    /** A deep copy of the current extent. */
    public Tensor copy() {
        return new Tensor(Arrays.copyOf(data, size()), shape);
    }

    @Override public String toString() { return "Tensor" + Arrays.toString(shape); }
}
