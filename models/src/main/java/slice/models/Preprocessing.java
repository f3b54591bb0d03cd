package slice.models;

/**
 * How raw pixels become network input: channels in {@code channelOrder}, each value {@code x ∈ [0, 255]} mapped to
 * {@code x / divisor + offset}. Kept as data so a saved model carries it and images are always fed the way the
 * backbone was trained.
 */
public record Preprocessing(String channelOrder, float divisor, float offset) {
    /** Keras {@code preprocess_input} for MobileNetV2 and InceptionV3 (mode "tf"): RGB, {@code x / 127.5 - 1}. */
    public static final Preprocessing SCALE_TO_PLUS_MINUS_ONE = new Preprocessing("RGB", 127.5f, -1f);

    /** Maps {@code data[from..to)} in place, from pixel values to network input. */
    public void apply(float[] data, int from, int to) {
        for (int i = from; i < to; i++) data[i] = data[i] / divisor + offset;
    }

    /** Human-readable form for summaries and sidecars, e.g. {@code RGB, x / 127.5 - 1}. */
    public String describe() {
        return channelOrder + ", x / " + divisor + (offset < 0 ? " - " + -offset : " + " + offset);
    }
}
