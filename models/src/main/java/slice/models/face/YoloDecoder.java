package slice.models.face;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The YOLOv2 head of face-api.js's Tiny Face Detector: turns the network's raw output map into faces in pixels of the
 * original image, then removes duplicates by non-maximum suppression. Follows {@code TinyYolov2Base.extractBoxes}
 * and {@code detect} of {@code @vladmandic/face-api} 1.7.15, step by step.
 *
 * <p><b>Input.</b> The detector saw the image padded with zeros on the right or bottom to a square of side
 * {@code max(W, H)} and resized to {@code S × S} ({@code S} = input size, a multiple of 32). Its output is one NHWC map
 * of {@code G × G × (A · 5)} floats ({@code G = S / 32} cells, {@code A} anchors); cell {@code (row, col)}, anchor
 * {@code a} holds {@code t_x, t_y, t_w, t_h, t_o} at channels {@code 5a .. 5a + 4}. There are no class scores (one
 * class, "face").
 *
 * <p><b>Decoding.</b> With {@code σ(t) = 1 / (1 + e^−t)} and anchor {@code (p_w, p_h)} in cells:
 * <pre>
 *   score = σ(t_o)                                  kept if score &gt; threshold (strictly)
 *   c_x = (col + σ(t_x)) / G,   c_y = (row + σ(t_y)) / G       centre, as a fraction of the padded square
 *   b_w = p_w · e^(t_w) / G,    b_h = p_h · e^(t_h) / G          size, same units
 * </pre>
 * The image fills {@code W' × H'} of the {@code S × S} input, {@code W' = round(W · S / max(W, H))},
 * {@code H' = round(H · S / max(W, H))}, so a fraction {@code f} of the square is {@code f · S / W'} of the image's
 * width ({@code f · S / H'} of its height); the box in image pixels is
 * <pre>
 *   x = (c_x − b_w / 2) · (S / W') · W,   width  = b_w · (S / W') · W
 *   y = (c_y − b_h / 2) · (S / H') · H,   height = b_h · (S / H') · H
 * </pre>
 * (face-api rounds {@code W'} and {@code H'} to whole pixels, so {@code S / W' · W} is {@code max(W, H)} only up to
 * that rounding; we keep the rounding to find the same boxes.)
 *
 * <p><b>Non-maximum suppression</b> (face-api's {@code nonMaxSuppression} with {@code isIOU = true}): visit the
 * candidates by decreasing score (equal scores: the later cell first, as face-api's stable ascending sort popped from
 * the end does); keep a candidate unless its {@link Box#iou IoU} with an already kept box exceeds the IoU threshold
 * (0.4 for the Tiny Face Detector). IoU is unchanged by scaling x and y, so suppressing in image pixels picks the
 * same boxes as face-api suppressing in input pixels.
 */
public final class YoloDecoder {
    /** Numbers per anchor: t_x, t_y, t_w, t_h, t_o. */
    public static final int BOX_ENCODING = 5;
    /** The Tiny Face Detector's head: face-api {@code tinyFaceDetector/const.ts}, {@code BOX_ANCHORS} and {@code IOU_THRESHOLD}. */
    public static final YoloDecoder TINY_FACE_DETECTOR = new YoloDecoder(
            new double[][] {{1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857},
                            {9.041765, 10.66308}},
            0.4);
    /** face-api's default score threshold ({@code TinyYolov2Options}). */
    public static final double DEFAULT_SCORE_THRESHOLD = 0.5;

    private final double[][] anchors;           // [anchor] = {width, height} in grid cells
    private final double iouThreshold;

    /** A head with {@code anchors[a] = {width, height}} in grid cells, suppressing overlaps above {@code iouThreshold}. */
    public YoloDecoder(double[][] anchors, double iouThreshold) {
        if (anchors.length == 0) throw new IllegalArgumentException("a YOLO head needs at least one anchor");
        for (double[] a : anchors)
            if (a.length != 2 || !(a[0] > 0) || !(a[1] > 0)) throw new IllegalArgumentException("an anchor is {width > 0, height > 0}");
        if (!(iouThreshold >= 0 && iouThreshold <= 1))
            throw new IllegalArgumentException("IoU threshold must be in [0, 1], got " + iouThreshold);
        this.anchors = anchors.clone();
        this.iouThreshold = iouThreshold;
    }

    public int anchorCount() { return anchors.length; }

    /**
     * The faces in {@code output} (one image's {@code G × G × (A · 5)} map, {@code G} inferred from its length) of an
     * {@code imageWidth × imageHeight} image seen at {@code inputSize}, scored above {@code scoreThreshold}, after
     * non-maximum suppression, best first.
     */
    public List<FaceDetection> decode(float[] output, int imageWidth, int imageHeight, int inputSize, double scoreThreshold) {
        return nonMaxSuppression(candidates(output, imageWidth, imageHeight, inputSize, scoreThreshold));
    }

    /** Every anchor scored above {@code scoreThreshold}, decoded to image pixels, in output order (no suppression). */
    public List<FaceDetection> candidates(float[] output, int imageWidth, int imageHeight, int inputSize, double scoreThreshold) {
        if (imageWidth <= 0 || imageHeight <= 0) throw new IllegalArgumentException("bad image size " + imageWidth + "x" + imageHeight);
        if (inputSize <= 0) throw new IllegalArgumentException("input size must be positive, got " + inputSize);
        if (!(scoreThreshold >= 0 && scoreThreshold < 1))
            throw new IllegalArgumentException("score threshold must be in [0, 1), got " + scoreThreshold);
        int perCell = anchors.length * BOX_ENCODING;
        int grid = (int) Math.round(Math.sqrt(output.length / (double) perCell));
        if (grid == 0 || grid * grid * perCell != output.length)
            throw new IllegalArgumentException("detector output has " + output.length + " floats, not G × G × " + perCell + " for any G");

        double longer = Math.max(imageWidth, imageHeight);
        double toImageX = inputSize / (double) Math.round(imageWidth * (inputSize / longer)) * imageWidth;
        double toImageY = inputSize / (double) Math.round(imageHeight * (inputSize / longer)) * imageHeight;
        List<FaceDetection> found = new ArrayList<>();
        for (int row = 0; row < grid; row++) {
            for (int col = 0; col < grid; col++) {
                for (int a = 0; a < anchors.length; a++) {
                    int at = (row * grid + col) * perCell + a * BOX_ENCODING;
                    double score = sigmoid(output[at + 4]);
                    if (!(score > scoreThreshold)) continue;
                    double centreX = (col + sigmoid(output[at])) / grid, centreY = (row + sigmoid(output[at + 1])) / grid;
                    double width = anchors[a][0] * Math.exp(output[at + 2]) / grid;
                    double height = anchors[a][1] * Math.exp(output[at + 3]) / grid;
                    Box box = new Box((centreX - width / 2) * toImageX, (centreY - height / 2) * toImageY,
                                      width * toImageX, height * toImageY);
                    found.add(new FaceDetection(box, score));
                }
            }
        }
        return found;
    }

    /**
     * Greedy non-maximum suppression: by decreasing score (ties: later first), keep a detection unless it overlaps a
     * kept one with IoU above this head's threshold. Returns the kept detections, best first.
     */
    public List<FaceDetection> nonMaxSuppression(List<FaceDetection> detections) {
        List<FaceDetection> byScore = new ArrayList<>(detections);
        Collections.reverse(byScore);                                           // stable sort below: ties stay later-first
        byScore.sort(Comparator.comparingDouble(FaceDetection::score).reversed());
        List<FaceDetection> kept = new ArrayList<>();
        for (FaceDetection candidate : byScore) {
            boolean overlapsKept = false;
            for (FaceDetection k : kept) overlapsKept |= k.box().iou(candidate.box()) > iouThreshold;
            if (!overlapsKept) kept.add(candidate);
        }
        return kept;
    }

    private static double sigmoid(double t) {
        return 1 / (1 + Math.exp(-t));
    }
}
