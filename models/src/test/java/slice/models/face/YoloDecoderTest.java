package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class YoloDecoderTest {
    private static final YoloDecoder HEAD = YoloDecoder.TINY_FACE_DETECTOR;
    private static final double[][] ANCHORS = {{1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061},
                                               {4.266906, 5.178857}, {9.041765, 10.66308}};
    private static final float NOBODY = -20f;                          // σ(−20) ≈ 2e−9: no face at this anchor

    /** An all-empty G × G × 25 output. */
    private static float[] emptyOutput(int grid) {
        float[] out = new float[grid * grid * 25];
        for (int i = 4; i < out.length; i += 5) out[i] = NOBODY;
        return out;
    }

    private static void put(float[] out, int grid, int row, int col, int anchor, double tx, double ty, double tw, double th, double to) {
        int at = (row * grid + col) * 25 + anchor * 5;
        out[at] = (float) tx; out[at + 1] = (float) ty; out[at + 2] = (float) tw; out[at + 3] = (float) th; out[at + 4] = (float) to;
    }

    private static double logit(double p) { return Math.log(p / (1 - p)); }

    @Test
    void oneConfidentAnchorOnASquareImageGivesItsExactBox() {
        float[] out = emptyOutput(13);                                   // input 416: 13 cells of 32 pixels
        put(out, 13, 4, 7, 1, Math.log(3), 0, Math.log(2), Math.log(0.5), 3);
        List<FaceDetection> faces = HEAD.decode(out, 416, 416, 416, 0.5);
        assertEquals(1, faces.size());
        FaceDetection face = faces.get(0);
        assertEquals(1 / (1 + Math.exp(-3)), face.score(), 1e-7);
        // centre (7 + σ(ln 3), 4 + σ(0)) = (7.75, 4.5) cells, size (2 · 6.041143, 0.5 · 7.080126) cells, 32 px a cell
        assertBoxInCells(32, 32, 7.75, 4.5, 2 * 6.041143, 0.5 * 7.080126, face.box());
    }

    @Test
    void landscapeImageWasPaddedAtTheBottom() {
        // 640 × 480 at 416: scale 0.65, the image fills 416 × 312 of the input; the padded square is 640 × 640 pixels
        float[] out = emptyOutput(13);
        put(out, 13, 2, 3, 0, 0, 0, 0, 0, 4);
        FaceDetection face = HEAD.decode(out, 640, 480, 416, 0.5).get(0);
        double cell = 640 / 13.0;                                        // a cell is 640 / 13 image pixels both ways
        assertBoxInCells(cell, cell, 3.5, 2.5, 1.603231, 2.094468, face.box());
    }

    @Test
    void portraitImageWasPaddedOnTheRight() {
        float[] out = emptyOutput(10);                                   // input 320: 10 cells
        put(out, 10, 6, 1, 4, logit(0.25), logit(0.875), 0, 0, 2);
        FaceDetection face = HEAD.decode(out, 300, 400, 320, 0.5).get(0);
        // 300 × 400 at 320: scale 0.8, image fills 240 × 320; padded square 400 × 400, a cell 40 pixels
        assertBoxInCells(40, 40, 1.25, 6.875, 9.041765, 10.66308, face.box());
    }

    @Test
    void followsFaceApiInRoundingTheResizedImageToWholePixels() {
        // 1000 × 333 at 416: scale 0.416, the image fills 416 × round(138.528) = 416 × 139 input pixels, so one input
        // pixel is 333 / 139 image pixels down (not 1000 / 416)
        float[] out = emptyOutput(13);
        put(out, 13, 1, 5, 2, 0, 0, 0, 0, 1);
        FaceDetection face = HEAD.decode(out, 1000, 333, 416, 0.5).get(0);
        double perCellX = 1000 / 13.0, perCellY = 416 / 13.0 * 333 / 139;
        assertBoxInCells(perCellX, perCellY, 5.5, 1.5, 2.882459, 3.518061, face.box());
    }

    @Test
    void nonMaxSuppressionKeepsTheHigherOfTwoOverlappingFaces() {
        float[] out = emptyOutput(13);
        put(out, 13, 6, 6, 3, 0, 0, 0, 0, logit(0.8));
        put(out, 13, 6, 7, 3, 0, 0, 0, 0, logit(0.9));                  // one cell right: IoU (4.27−1)/(4.27+1) ≈ 0.62
        put(out, 13, 1, 1, 0, 0, 0, 0, 0, logit(0.7));                  // far away
        List<FaceDetection> all = HEAD.candidates(out, 416, 416, 416, 0.5);
        assertEquals(3, all.size());
        List<FaceDetection> kept = HEAD.decode(out, 416, 416, 416, 0.5);
        assertEquals(2, kept.size());
        assertEquals(0.9, kept.get(0).score(), 1e-6);
        assertEquals(32 * 7.5, kept.get(0).box().x() + kept.get(0).box().width() / 2, 1e-4);
        assertEquals(0.7, kept.get(1).score(), 1e-6);
    }

    @Test
    void suppressesOnlyAboveTheIouThreshold() {
        Box big = new Box(0, 0, 10, 10);
        FaceDetection best = new FaceDetection(big, 0.9);
        // inside `big`: IoU = area / 100, exactly 0.4 for height 4 — kept (face-api suppresses IoU > threshold only)
        List<FaceDetection> atThreshold = HEAD.nonMaxSuppression(List.of(new FaceDetection(new Box(0, 0, 10, 4), 0.8), best));
        assertEquals(2, atThreshold.size());
        assertEquals(best, atThreshold.get(0));
        List<FaceDetection> above = HEAD.nonMaxSuppression(List.of(new FaceDetection(new Box(0, 0, 10, 4.5), 0.8), best));
        assertEquals(List.of(best), above);
    }

    @Test
    void equalScoresKeepTheLaterDetectionAsFaceApiDoes() {
        FaceDetection first = new FaceDetection(new Box(0, 0, 10, 10), 0.75), second = new FaceDetection(new Box(1, 0, 10, 10), 0.75);
        assertEquals(List.of(second), HEAD.nonMaxSuppression(List.of(first, second)));
    }

    @Test
    void scoreThresholdIsStrict() {
        float[] out = emptyOutput(13);
        put(out, 13, 3, 3, 2, 0, 0, 0, 0, 0);                           // σ(0) = 0.5 exactly
        assertTrue(HEAD.decode(out, 416, 416, 416, 0.5).isEmpty());
        assertEquals(1, HEAD.decode(out, 416, 416, 416, 0.499).size());
        assertTrue(HEAD.decode(emptyOutput(13), 416, 416, 416, 0.5).isEmpty());
    }

    @Test
    void everyAnchorUsesItsOwnSize() {
        for (int a = 0; a < 5; a++) {
            float[] out = emptyOutput(13);
            put(out, 13, 6, 6, a, 0, 0, 0, 0, 5);
            Box box = HEAD.decode(out, 416, 416, 416, 0.5).get(0).box();
            assertEquals(32 * ANCHORS[a][0], box.width(), 1e-4);
            assertEquals(32 * ANCHORS[a][1], box.height(), 1e-4);
        }
    }

    @Test
    void rejectsAnOutputOfTheWrongSize() {
        float[] out = Arrays.copyOf(emptyOutput(13), 13 * 13 * 25 - 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HEAD.decode(out, 416, 416, 416, 0.5));
        assertTrue(e.getMessage().contains("4220 floats"), e.getMessage());
    }

    /**
     * Asserts (to 1e-4 pixels) that {@code actual} is a box of {@code w × h} cells centred on cell coordinates
     * {@code (cx, cy)}, a cell being {@code cellX × cellY} image pixels.
     */
    private static void assertBoxInCells(double cellX, double cellY, double cx, double cy, double w, double h, Box actual) {
        assertEquals(cellX * (cx - w / 2), actual.x(), 1e-4, "x");
        assertEquals(cellY * (cy - h / 2), actual.y(), 1e-4, "y");
        assertEquals(cellX * w, actual.width(), 1e-4, "width");
        assertEquals(cellY * h, actual.height(), 1e-4, "height");
    }
}
