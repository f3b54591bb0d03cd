package slice.engine.layers;

/**
 * Keras/TensorFlow padding modes for convolutions and pooling, along one spatial axis.
 *
 * <ul>
 *   <li>{@code VALID}: no padding; {@code out = floor((in - k) / s) + 1}.</li>
 *   <li>{@code SAME}: {@code out = ceil(in / s)}; the total padding {@code max((out - 1)·s + k - in, 0)} is split with
 *       the smaller half before and the larger half after — the extra pixel of an odd total goes to the bottom/right
 *       (TensorFlow's rule, unlike PyTorch's symmetric padding).</li>
 * </ul>
 */
public enum Padding {
    VALID, SAME;

    /** Output length along an axis of length {@code in} for a window {@code k} and stride {@code s}. */
    public int outSize(int in, int k, int s) {
        int out = this == SAME ? (in + s - 1) / s : (in - k) / s + 1;
        if (out < 1 || (this == VALID && in < k)) {
            throw new IllegalArgumentException("input of size " + in + " is too small for a " + k + "-wide window (" + this + ")");
        }
        return out;
    }

    /** Padding before the first element (top or left). */
    public int padBefore(int in, int k, int s) {
        if (this == VALID) return 0;
        int total = Math.max((outSize(in, k, s) - 1) * s + k - in, 0);
        return total / 2;
    }
}
