package slice.weights;

/**
 * The checks every loader applies to the values it reads: finite everywhere, and for pretrained weights copied into a
 * network, at most {@link #MAX_ABS} in magnitude. Each failure is a one-line {@link WeightsException} naming the
 * tensor and the index of the first offending value.
 */
final class WeightValues {
    private WeightValues() { }

    /**
     * The largest magnitude a pretrained weight may have: 10⁵. Measured on the files in the shared data, the largest
     * |w| is 415.6 in the five {@code .h5} files (a batch norm's moving variance, {@code bn0_conv_0_bn_depthwise} of
     * the MobileNetV2 1.0 file; kernels stay under 31, moving means under 89) and 23.2 in face-api's four networks. The
     * bound leaves a margin of 240 for the files not measured (the official InceptionV3 ones), and stops what an edited
     * or corrupted file carries: a value such as 1.8·10³⁷, or an exponent bit flipped in a weight of magnitude 1 or
     * more (×2³² or beyond), which would train to a worse model with no error. Smaller edits are not detectable by
     * magnitude: the SHA-256 that the feature cache and model card record identifies the file.
     */
    static final float MAX_ABS = 1e5f;

    /** Throws {@code "<what> holds NaN at index i of n (values must be finite)"} if a value is not finite. */
    static void requireFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new WeightsException(what + " holds " + values[i] + " at index " + i + " of " + values.length
                        + " (values must be finite)");
            }
        }
    }

    /** {@link #requireFinite}, then the same for a value beyond {@link #MAX_ABS}: what a pretrained weight must pass. */
    static void requirePretrained(float[] values, String what) {
        requireFinite(values, what);
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(values[i]) > MAX_ABS) {
                throw new WeightsException(what + " holds " + values[i] + " at index " + i + " of " + values.length + ", beyond the "
                        + MAX_ABS + " no pretrained weight comes near (a damaged or edited file?)");
            }
        }
    }
}
