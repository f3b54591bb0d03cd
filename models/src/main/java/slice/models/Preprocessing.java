package slice.models;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How raw pixels become network input: channels in {@code channelOrder}, each value {@code x ∈ [0, 255]} mapped to
 * {@code x / divisor + offset}. Kept as data so a saved model carries it and images are always fed the way the
 * backbone was trained; {@link #describe} is its one written form and {@link #parse} reads it back.
 */
public record Preprocessing(String channelOrder, float divisor, float offset) {
    /** Keras {@code preprocess_input} for MobileNetV2 and InceptionV3 (mode "tf"): RGB, {@code x / 127.5 - 1}. */
    public static final Preprocessing SCALE_TO_PLUS_MINUS_ONE = new Preprocessing("RGB", 127.5f, -1f);

    private static final Pattern WRITTEN = Pattern.compile("(\\w+), x / (\\S+) ([-+]) (\\S+)");

    /** Maps {@code data[from..to)} in place, from pixel values to network input. */
    public void apply(float[] data, int from, int to) {
        for (int i = from; i < to; i++) data[i] = data[i] / divisor + offset;
    }

    /** The written form, in summaries and model cards: {@link #SCALE_TO_PLUS_MINUS_ONE} is {@code RGB, x / 127.5 - 1.0}. */
    public String describe() {
        return channelOrder + ", x / " + divisor + (offset < 0 ? " - " + -offset : " + " + offset);
    }

    /** The preprocessing {@link #describe} wrote as {@code text}; an {@link IllegalArgumentException} for other text. */
    public static Preprocessing parse(String text) {
        Matcher m = WRITTEN.matcher(text);
        try {
            if (m.matches()) {
                float offset = Float.parseFloat(m.group(4));
                return new Preprocessing(m.group(1), Float.parseFloat(m.group(2)), m.group(3).equals("-") ? -offset : offset);
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("preprocessing '" + text + "' is not of the form '" + SCALE_TO_PLUS_MINUS_ONE.describe() + "'");
    }
}
