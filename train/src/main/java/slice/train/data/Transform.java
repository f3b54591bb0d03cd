package slice.train.data;

/**
 * What {@link Preprocessor} draws from a source image: the crop box {@code [x, x + width) × [y, y + height)} in source
 * pixels (fractional edges allowed), an optional horizontal mirror, then a brightness shift and a contrast factor.
 *
 * @param brightness added to every value in [0, 1] pixel units (TF's {@code adjust_brightness} delta); 0 = none
 * @param contrast   factor applied around each channel's mean (TF's {@code adjust_contrast}); 1 = none
 */
public record Transform(double x, double y, double width, double height, boolean mirror, float brightness, float contrast) {
    public Transform {
        if (!(width > 0 && height > 0)) throw new IllegalArgumentException("empty crop " + width + "x" + height);
    }

    /** The whole image, unchanged: the plain preprocessing used for validation, test and prediction. */
    public static Transform whole(int width, int height) {
        return new Transform(0, 0, width, height, false, 0f, 1f);
    }

    boolean adjustsColour() {
        return brightness != 0f || contrast != 1f;
    }
}
