package slice.models.face;

/**
 * How face-api.js turns an image (or a face crop) into its networks' square input: pad with zeros to a square, then
 * resize bilinearly to {@code size × size}. This is {@code NetInput.toBatchTensor} for a tensor input ({@code
 * padToSquare}, then {@code tf.image.resizeBilinear} with {@code alignCorners = halfPixelCenters = false}); the
 * result is RGB {@code 0..255} floats, HWC, before the network's own normalisation.
 *
 * <p><b>Padding.</b> A {@code w × h} region becomes a square of side {@code D = max(w, h)}; the shorter side gets
 * {@code d = |w − h|} zero rows or columns. The detector pads after the image (right or bottom, {@code centred =
 * false}); the landmark nets centre it ({@code centred = true}): {@code floor(d / 2)} before and {@code d − floor(d /
 * 2)} after (face-api appends {@code round(d / 2)}, rounding halves up).
 *
 * <p><b>Resize</b> (TensorFlow's legacy bilinear). With {@code r = D / size}, output pixel {@code (i, j)} samples the
 * padded square at {@code (f_y, f_x) = (r·i, r·j)}: with {@code y0 = floor(f_y)}, {@code y1 = min(ceil(f_y), D − 1)},
 * {@code t = f_y − y0} (same for x with {@code s}),
 * <pre>
 *   top    = P[y0][x0] + (P[y0][x1] − P[y0][x0]) · s
 *   bottom = P[y1][x0] + (P[y1][x1] − P[y1][x0]) · s
 *   out[i][j] = top + (bottom − top) · t
 * </pre>
 * The samples are corner-aligned (pixel {@code k} of the output sits at {@code r·k} of the input), so a shrinking
 * resize reads only the 2 × 2 pixels around each sample, without averaging the rest of its footprint.
 */
public final class SquareInput {
    private SquareInput() { }

    /** The Tiny Face Detector's input: the whole {@code width × height} image padded right/bottom, at {@code size}. */
    public static float[] forDetector(int[] pixels, int width, int height, int size) {
        return padAndResize(pixels, width, height, 0, 0, width, height, false, size);
    }

    /**
     * The region {@code [left, left + width) × [top, top + height)} of an {@code imageWidth × imageHeight} image of
     * {@code pixels[y · imageWidth + x] = 0xRRGGBB} (alpha ignored), padded to a square ({@code centred} or after) and
     * resized to {@code size × size}: {@code size · size · 3} floats, RGB in {@code 0..255}.
     */
    public static float[] padAndResize(int[] pixels, int imageWidth, int imageHeight, int left, int top, int width, int height,
                                       boolean centred, int size) {
        if (imageWidth <= 0 || imageHeight <= 0 || pixels.length != imageWidth * imageHeight)
            throw new IllegalArgumentException("bad image: " + imageWidth + "x" + imageHeight + " with " + pixels.length + " pixels");
        if (width <= 0 || height <= 0 || left < 0 || top < 0 || left + width > imageWidth || top + height > imageHeight)
            throw new IllegalArgumentException("region " + width + "x" + height + " at (" + left + ", " + top + ") is not inside the "
                    + imageWidth + "x" + imageHeight + " image");
        if (size <= 0) throw new IllegalArgumentException("size must be positive, got " + size);
        int side = Math.max(width, height);
        int before = centred ? (side - Math.min(width, height)) / 2 : 0;
        int padLeft = width < height ? before : 0, padTop = height < width ? before : 0;
        double ratio = side / (double) size;

        float[] out = new float[size * size * 3];
        double[] top0 = new double[3], top1 = new double[3], bottom0 = new double[3], bottom1 = new double[3];
        for (int i = 0; i < size; i++) {
            double fy = ratio * i;
            int y0 = (int) Math.floor(fy), y1 = Math.min((int) Math.ceil(fy), side - 1);
            double t = fy - y0;
            for (int j = 0; j < size; j++) {
                double fx = ratio * j;
                int x0 = (int) Math.floor(fx), x1 = Math.min((int) Math.ceil(fx), side - 1);
                double s = fx - x0;
                int rowY0 = y0 - padTop, rowY1 = y1 - padTop, colX0 = x0 - padLeft, colX1 = x1 - padLeft;
                sample(pixels, imageWidth, left, top, width, height, colX0, rowY0, top0);
                sample(pixels, imageWidth, left, top, width, height, colX1, rowY0, top1);
                sample(pixels, imageWidth, left, top, width, height, colX0, rowY1, bottom0);
                sample(pixels, imageWidth, left, top, width, height, colX1, rowY1, bottom1);
                int o = (i * size + j) * 3;
                for (int c = 0; c < 3; c++) {
                    double upper = top0[c] + (top1[c] - top0[c]) * s;
                    double lower = bottom0[c] + (bottom1[c] - bottom0[c]) * s;
                    out[o + c] = (float) (upper + (lower - upper) * t);
                }
            }
        }
        return out;
    }

    /** RGB of region pixel {@code (x, y)}, or zeros in the padding (outside the region). */
    private static void sample(int[] pixels, int imageWidth, int left, int top, int width, int height, int x, int y, double[] rgb) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            rgb[0] = rgb[1] = rgb[2] = 0;
            return;
        }
        int p = pixels[(top + y) * imageWidth + left + x];
        rgb[0] = (p >> 16) & 0xFF;
        rgb[1] = (p >> 8) & 0xFF;
        rgb[2] = p & 0xFF;
    }
}
