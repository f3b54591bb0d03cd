package slice.models;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How raw pixels become network input: channels in {@code channelOrder}, each value {@code x ∈ [0, 255]} of channel
 * {@code c} mapped to {@code (x − mean[c]) / divisor + offset}. Kept as data so a saved model carries it and images
 * are always fed the way the backbone was trained; {@link #describe} is its one written form and {@link #parse} reads
 * it back. Keras' form has no mean ({@code x / 127.5 - 1}); face-api's has no offset ({@code (x − meanRGB) / 255}).
 */
public record Preprocessing(String channelOrder, float[] mean, float divisor, float offset) {
    /** Keras {@code preprocess_input} for MobileNetV2 and InceptionV3 (mode "tf"): RGB, {@code x / 127.5 - 1}. */
    public static final Preprocessing SCALE_TO_PLUS_MINUS_ONE = new Preprocessing("RGB", 127.5f, -1f);

    private static final Pattern SCALED = Pattern.compile("(\\w+), x / (\\S+) ([-+]) (\\S+)");
    private static final Pattern CENTRED = Pattern.compile("(\\w+), \\(x - \\[(\\S+), (\\S+), (\\S+)\\]\\) / (\\S+)");

    public Preprocessing {
        if (mean.length != 3) throw new IllegalArgumentException("one mean per channel: 3 values, got " + mean.length);
        mean = mean.clone();
    }

    /** {@code x / divisor + offset} for every channel: no mean. */
    public Preprocessing(String channelOrder, float divisor, float offset) {
        this(channelOrder, new float[3], divisor, offset);
    }

    /** {@code (x − mean[c]) / divisor}: a mean per channel, no offset. */
    public static Preprocessing centred(String channelOrder, float[] mean, float divisor) {
        return new Preprocessing(channelOrder, mean, divisor, 0f);
    }

    @Override public float[] mean() {
        return mean.clone();
    }

    /** The network input for value {@code x} of channel {@code c}. */
    public float scale(float x, int c) {
        return (x - mean[c]) / divisor + offset;
    }

    /** Maps {@code data[from..to)} in place, from pixel values to network input; {@code data[from]} is a first channel. */
    public void apply(float[] data, int from, int to) {
        for (int c = 0; c < 3; c++) {
            for (int i = from + c; i < to; i += 3) data[i] = scale(data[i], c);
        }
    }

    private boolean hasMean() {
        return mean[0] != 0 || mean[1] != 0 || mean[2] != 0;
    }

    /**
     * The written form, in summaries and model cards: {@link #SCALE_TO_PLUS_MINUS_ONE} is {@code RGB, x / 127.5 - 1.0};
     * face-api's is {@code RGB, (x - [122.782, 117.001, 104.298]) / 255.0}. A mean with an offset has no written form.
     */
    public String describe() {
        if (!hasMean()) return channelOrder + ", x / " + divisor + (offset < 0 ? " - " + -offset : " + " + offset);
        if (offset != 0) throw new IllegalStateException("a preprocessing with both a mean and an offset has no written form");
        return String.format(Locale.ROOT, "%s, (x - [%s, %s, %s]) / %s", channelOrder, mean[0], mean[1], mean[2], divisor);
    }

    /** The preprocessing {@link #describe} wrote as {@code text}; an {@link IllegalArgumentException} for other text. */
    public static Preprocessing parse(String text) {
        try {
            Matcher m = SCALED.matcher(text);
            if (m.matches()) {
                float offset = Float.parseFloat(m.group(4));
                return new Preprocessing(m.group(1), Float.parseFloat(m.group(2)), m.group(3).equals("-") ? -offset : offset);
            }
            m = CENTRED.matcher(text);
            if (m.matches()) {
                float[] mean = {Float.parseFloat(m.group(2)), Float.parseFloat(m.group(3)), Float.parseFloat(m.group(4))};
                return centred(m.group(1), mean, Float.parseFloat(m.group(5)));
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("preprocessing '" + text + "' is not of the form '" + SCALE_TO_PLUS_MINUS_ONE.describe() + "'");
    }

    @Override public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.channelOrder.equals(channelOrder) && Arrays.equals(p.mean, mean)
                && Float.compare(p.divisor, divisor) == 0 && Float.compare(p.offset, offset) == 0;
    }

    @Override public int hashCode() {
        return 31 * (31 * (31 * channelOrder.hashCode() + Arrays.hashCode(mean)) + Float.hashCode(divisor)) + Float.hashCode(offset);
    }

    @Override public String toString() {
        return describe();
    }
}
