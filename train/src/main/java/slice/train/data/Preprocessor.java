package slice.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import slice.models.Preprocessing;

/**
 * Turns an {@link RgbImage} into the network's input: a square {@code size × size × 3} block of float32, RGB, scaled
 * by the model's {@link Preprocessing} ({@code x / 127.5 - 1} for MobileNetV2 and InceptionV3, {@code (x − meanRGB) / 255}
 * for face-resnet), written into a
 * caller's array at an offset, so a batch is filled image by image in NHWC order.
 *
 * <p><b>Resize.</b> The crop box is stretched to a square, ignoring aspect ratio, as Keras'
 * {@code image_dataset_from_directory} does (faces come pre-cropped; a centre crop would cut off chins). The filter
 * is PIL's bilinear: a triangle filter whose support grows with the downscale factor, so shrinking averages over the
 * whole footprint of each output pixel instead of sampling (antialiasing). It is separable: with scale
 * {@code s = in / out} and {@code f = max(s, 1)}, output pixel {@code i} has centre {@code c = in0 + (i + 0.5) s} and
 * weights {@code w_j ∝ max(0, 1 - |j + 0.5 - c| / f)} for source pixels {@code j} within {@code c ± f}, normalised to
 * sum 1. Rows are filtered first into a float buffer, then columns. Unlike PIL the intermediate is not rounded to
 * 8 bits. Then {@link Transform#mirror()} flips x, and brightness/contrast are applied as in TF, on the scaled values:
 * {@code v' = clamp((v - mean_c) · contrast + mean_c + 255 · brightness / divisor)} with {@code mean_c} the channel
 * mean, clamped to the scaled image of [0, 255].
 *
 * <p>Not thread-safe: it owns scratch buffers (grown to the largest image seen, then reused, so steady state
 * allocates nothing). Use one per thread.
 */
public final class Preprocessor {
    /** Large photos are decimated while decoding, keeping at least this many times the input size. */
    private static final int DECODE_MARGIN = 4;
    private final int size;
    private final Preprocessing scaling;
    private final float[] low, high;            // the scaled images of pixel values 0 and 255: [output x][channel]
    private float[] rows = new float[0];        // rows pass: [source row][output x][channel]
    private final float[] column;               // columns pass, one output row: [output x][channel]
    private final int[] xFirst, xTaps, yFirst, yTaps;
    private double[] xWeights = new double[0], yWeights = new double[0];
    private int xStride, yStride;                // taps per output pixel in the weight tables

    public Preprocessor(int size, Preprocessing scaling) {
        if (size <= 0) throw new IllegalArgumentException("size must be positive, got " + size);
        if (!scaling.channelOrder().equals("RGB")) {
            throw new IllegalArgumentException("only RGB input is supported, got " + scaling.channelOrder());
        }
        this.size = size;
        this.scaling = scaling;
        low = new float[size * 3];
        high = new float[size * 3];
        for (int i = 0; i < size * 3; i++) {
            low[i] = scaling.scale(0f, i % 3);
            high[i] = scaling.scale(255f, i % 3);
        }
        xFirst = new int[size]; xTaps = new int[size];
        yFirst = new int[size]; yTaps = new int[size];
        column = new float[size * 3];
    }

    public int size() { return size; }

    /**
     * Decodes an image file's bytes for this input size: {@link ImageDecoder#decode(byte[], int)} keeping the shorter
     * side at least 4 × size. Training (through the feature cache) and prediction both decode
     * this way, so a photo becomes the same input in both.
     */
    public RgbImage decode(byte[] bytes) throws IOException {
        return decodeScaled(bytes).image();
    }

    /** {@link #decode}, also saying how the decoded image maps onto the photo (for a face's alignment). */
    public ImageDecoder.Scaled decodeScaled(byte[] bytes) throws IOException {
        return ImageDecoder.decodeScaled(bytes, DECODE_MARGIN * size);
    }

    /**
     * Reads, decodes and preprocesses the whole image in {@code file} (validation, test, prediction) into
     * {@code out[offset ..]}. The exception's message is the reason the file is unusable, e.g. "not an image".
     */
    public void load(Path file, float[] out, int offset) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("unreadable (" + e.getClass().getSimpleName() + ")", e);
        }
        preprocess(decode(bytes), out, offset);
    }

    /** Floats written per image: {@code size * size * 3}. */
    public int imageLength() { return size * size * 3; }

    /** Writes the whole image, plainly resized, to {@code out[offset .. offset + imageLength())}. */
    public void preprocess(RgbImage image, float[] out, int offset) {
        preprocess(image, Transform.whole(image.width(), image.height()), out, offset);
    }

    /** Writes {@code t} applied to {@code image} to {@code out[offset .. offset + imageLength())}. */
    public void preprocess(RgbImage image, Transform t, float[] out, int offset) {
        int w = image.width(), h = image.height();
        xStride = coefficients(t.x(), t.x() + t.width(), w, xFirst, xTaps, true);
        yStride = coefficients(t.y(), t.y() + t.height(), h, yFirst, yTaps, false);
        int rowFrom = yFirst[0], rowTo = yFirst[size - 1] + yTaps[size - 1];
        int needed = (rowTo - rowFrom) * size * 3;
        if (rows.length < needed) rows = new float[needed];

        int[] px = image.pixels();
        for (int sy = rowFrom; sy < rowTo; sy++) {
            int src = sy * w, dst = (sy - rowFrom) * size * 3;
            for (int ox = 0; ox < size; ox++) {
                float r = 0, g = 0, b = 0;
                int first = xFirst[ox], k = ox * xStride;
                for (int j = 0; j < xTaps[ox]; j++) {
                    int p = px[src + first + j];
                    float wj = (float) xWeights[k + j];
                    r += wj * ((p >> 16) & 0xFF);
                    g += wj * ((p >> 8) & 0xFF);
                    b += wj * (p & 0xFF);
                }
                rows[dst + 3 * ox] = r;
                rows[dst + 3 * ox + 1] = g;
                rows[dst + 3 * ox + 2] = b;
            }
        }
        int rowLength = size * 3;
        float[] column = this.column;
        boolean mirror = t.mirror();
        for (int oy = 0; oy < size; oy++) {
            int first = yFirst[oy] - rowFrom, k = oy * yStride;
            Arrays.fill(column, 0f);
            for (int j = 0; j < yTaps[oy]; j++) {              // each output value's taps summed in order j = 0, 1, …
                int at = (first + j) * rowLength;
                float wj = (float) yWeights[k + j];
                for (int i = 0; i < rowLength; i++) column[i] += wj * rows[at + i];
            }
            // 0..255 → network scale; the clamp only absorbs float rounding of weights that sum to 1
            scaling.apply(column, 0, rowLength);
            for (int i = 0; i < rowLength; i++) column[i] = Math.max(low[i], Math.min(high[i], column[i]));
            int outRow = offset + oy * rowLength;
            if (!mirror) {
                System.arraycopy(column, 0, out, outRow, rowLength);
            } else {
                for (int ox = 0; ox < size; ox++) System.arraycopy(column, 3 * ox, out, outRow + 3 * (size - 1 - ox), 3);
            }
        }
        if (t.adjustsColour()) adjustColour(t, out, offset);
    }

    /** Brightness and contrast in place on one preprocessed image. */
    private void adjustColour(Transform t, float[] out, int offset) {
        int n = size * size;
        float shift = 255f * t.brightness() / scaling.divisor();
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += out[offset + 3 * i + c];
            float mean = (float) (sum / n);
            for (int i = 0; i < n; i++) {
                int o = offset + 3 * i + c;
                out[o] = Math.max(low[c], Math.min(high[c], (out[o] - mean) * t.contrast() + mean + shift));
            }
        }
    }

    /**
     * PIL's {@code precompute_coeffs} for the bilinear (triangle) filter: fills first source index and tap count per
     * output pixel and the normalised weights into the x or y table; returns the table's stride (max taps).
     */
    private int coefficients(double in0, double in1, int inSize, int[] first, int[] taps, boolean forX) {
        double scale = (in1 - in0) / size;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;                          // triangle support 1, widened when shrinking
        int stride = (int) Math.ceil(support) * 2 + 1;
        double[] weights = forX ? xWeights : yWeights;
        if (weights.length < size * stride) weights = new double[size * stride];
        for (int i = 0; i < size; i++) {
            double centre = in0 + (i + 0.5) * scale;
            int lo = Math.max((int) (centre - support + 0.5), 0);
            int hi = Math.min((int) (centre + support + 0.5), inSize);
            if (hi <= lo) {                                    // box entirely outside the image: nearest edge pixel
                lo = Math.min(Math.max(lo, 0), inSize - 1);
                hi = lo + 1;
            }
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                double wj = Math.max(0, 1 - Math.abs((j - centre + 0.5) / filterScale));
                weights[i * stride + j - lo] = wj;
                sum += wj;
            }
            for (int j = lo; j < hi; j++) weights[i * stride + j - lo] = sum > 0 ? weights[i * stride + j - lo] / sum : 1.0 / (hi - lo);
            first[i] = lo;
            taps[i] = hi - lo;
        }
        if (forX) xWeights = weights; else yWeights = weights;
        return stride;
    }
}
