package slice.train.data;

/**
 * A decoded image in display orientation: {@code pixels[y * width + x] = 0xRRGGBB} (8-bit sRGB, no alpha).
 * Grey images have R = G = B.
 */
public record RgbImage(int width, int height, int[] pixels) {
    public RgbImage {
        if (width <= 0 || height <= 0 || pixels.length != width * height)
            throw new IllegalArgumentException("bad image shape " + width + "x" + height + " for " + pixels.length + " pixels");
    }
}
