package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;

class FaceAlignerTest {
    @Test
    void templateIsArcFaceAt112AndScalesWithSizeAndMargin() {
        List<Point> at112 = new FaceAligner(112, 0).template();
        for (int i = 0; i < 5; i++) {
            assertEquals(FaceAligner.ARCFACE_112.get(i).x(), at112.get(i).x(), 1e-12);
            assertEquals(FaceAligner.ARCFACE_112.get(i).y(), at112.get(i).y(), 1e-12);
        }
        // 224 with pixel centres at integers: t ↦ 2t + ½; margin 0.5 then halves the distances to the centre 111.5
        Point leftEye = new FaceAligner(224, 0).template().get(0);
        assertEquals(2 * 38.2946 + 0.5, leftEye.x(), 1e-9);
        Point widened = new FaceAligner(224, 0.5).template().get(0);
        assertEquals(111.5 + (2 * 38.2946 + 0.5 - 111.5) / 2, widened.x(), 1e-9);
        assertEquals(111.5 + (2 * 51.6963 + 0.5 - 111.5) / 2, widened.y(), 1e-9);
    }

    @Test
    void landmarksOnTheTemplateGiveTheIdentityAndTheImageItself() {
        FaceAligner aligner = new FaceAligner(112, 0);
        Similarity t = aligner.transform(FaceAligner.ARCFACE_112);
        assertEquals(1, t.a(), 1e-12);
        assertEquals(0, t.b(), 1e-12);
        assertEquals(0, t.tx(), 1e-9);
        assertEquals(0, t.ty(), 1e-9);
        int[] image = new int[112 * 112];
        for (int i = 0; i < image.length; i++) image[i] = (int) (i * 2654435761L & 0xFFFFFF);          // scrambled colours
        int[] crop = aligner.warp(image, 112, 112, t);
        int same = 0;
        for (int i = 0; i < crop.length; i++) same += crop[i] == image[i] ? 1 : 0;
        assertEquals(crop.length, same);
    }

    @Test
    void outsideTheImageIsBlack() {
        int[] white = new int[20 * 20];
        java.util.Arrays.fill(white, 0xFFFFFF);
        int[] crop = new FaceAligner(10, 0).warp(white, 20, 20, new Similarity(1, 0, -15, -15));   // crop (u, v) ← image (u + 15, v + 15)
        assertEquals(0xFFFFFF, crop[0]);                                       // image (15, 15)
        assertEquals(0xFFFFFF, crop[4 * 10 + 4]);                              // image (19, 19), the last pixel
        assertEquals(0, crop[5 * 10 + 5]);                                     // image (20, 20): outside
        assertEquals(0, crop[9 * 10 + 2]);
        int[] half = new FaceAligner(10, 0).warp(white, 20, 20, new Similarity(1, 0, -15.5, -10));
        assertEquals(0x808080, half[4]);                                       // x = 19.5: half white, half outside → 127.5 → 128
    }

    /** A smooth colour pattern defined everywhere, so a moved copy can be drawn exactly rather than resampled. */
    private static int pattern(double x, double y) {
        int r = (int) Math.round(128 + 90 * Math.sin(x / 7 + 0.3) * Math.cos(y / 11));
        int g = (int) Math.round(128 + 90 * Math.sin((x + y) / 13));
        int b = (int) Math.round(128 + 90 * Math.cos(x / 17 - y / 9));
        return r << 16 | g << 8 | b;
    }

    private static int[] draw(int width, int height, Similarity imageToPattern) {
        int[] px = new int[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                Point p = imageToPattern.apply(new Point(x, y));
                px[y * width + x] = pattern(p.x(), p.y());
            }
        return px;
    }

    @Test
    void aRotatedShiftedScaledCopyAlignsToTheSameCrop() {
        List<Point> five = List.of(new Point(178, 182), new Point(228, 180), new Point(204, 212), new Point(183, 242), new Point(226, 240));
        int[] original = draw(400, 400, new Similarity(1, 0, 0, 0));
        Similarity moved = Similarity.of(1.3, Math.toRadians(25), 174, -45);             // original → copy
        int[] copy = draw(600, 600, moved.inverse());
        List<Point> fiveMoved = five.stream().map(moved::apply).toList();

        FaceAligner aligner = new FaceAligner(112, 0.2);
        int[] a = aligner.warp(original, 400, 400, aligner.transform(five));
        int[] b = aligner.warp(copy, 600, 600, aligner.transform(fiveMoved));
        double diff = meanAbsDiff(a, b, 112, 4);
        double tolerance = 0.5;
        assertTrue(diff < tolerance, "aligned crops differ by " + diff + " levels on average");
        assertTrue(spread(a) > 30, "the crop must show the pattern, not a flat colour");
        // the tolerance is tight enough to notice the copy's points moved by 2 pixels (1.5 in the original's scale)
        int[] nudged = aligner.warp(copy, 600, 600, aligner.transform(fiveMoved.stream().map(p -> new Point(p.x() + 2, p.y())).toList()));
        assertTrue(meanAbsDiff(a, nudged, 112, 4) > 3 * tolerance, "a misalignment must differ clearly");
    }

    @Test
    void aRotatedShiftedScaledRealFaceAlignsToTheSameCrop() throws IOException {
        FaceLandmarks68 landmarks = FaceApiReference.landmarks(FaceApiReference.faces("Hans_Blix_0005").get(0));
        BufferedImage photo = ImageIO.read(SharedData.require("faces/lfw_scenes_min20/Hans_Blix/Hans_Blix_0005.jpg").toFile());
        int w = photo.getWidth(), h = photo.getHeight();
        int[] original = photo.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < original.length; i++) original[i] &= 0xFFFFFF;

        // the copy: turned 20°, enlarged 1.4 times, with the nose moved to the middle of a 640 × 640 canvas
        Similarity turn = Similarity.of(1.4, Math.toRadians(-20), 0, 0);
        Point nose = turn.apply(landmarks.noseTip());
        Similarity moved = new Similarity(turn.a(), turn.b(), 320 - nose.x(), 320 - nose.y());
        int[] copy = new FaceAligner(640, 0).warp(original, w, h, moved);
        FaceLandmarks68 movedLandmarks = new FaceLandmarks68(landmarks.points().stream().map(moved::apply).toList());

        FaceAligner aligner = new FaceAligner(112, 0.25);
        int[] a = aligner.align(original, w, h, landmarks);
        int[] b = aligner.align(copy, 640, 640, movedLandmarks);
        double diff = meanAbsDiff(a, b, 112, 4);
        double tolerance = 1.5;
        assertTrue(diff < tolerance, "aligned crops of the face differ by " + diff + " levels on average");
        assertTrue(spread(a) > 30, "the crop must show a face, not a flat colour");
        Similarity nudge = new Similarity(1, 0, 2, 0);                                    // points 2 pixels to the right
        int[] nudged = aligner.align(copy, 640, 640, new FaceLandmarks68(movedLandmarks.points().stream().map(nudge::apply).toList()));
        assertTrue(meanAbsDiff(a, nudged, 112, 4) > 3 * tolerance, "a misalignment must differ clearly");
    }

    @Test
    void rejectsAWrongNumberOfPointsAndBadSettings() {
        FaceAligner aligner = new FaceAligner(112, 0.1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> aligner.transform(List.of(new Point(1, 2), new Point(3, 4))));
        assertEquals("alignment needs the 5 points (eyes, nose tip, mouth corners), got 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FaceAligner(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new FaceAligner(112, -0.1));
    }

    /** Mean absolute difference per channel level between two size × size images, ignoring a border of {@code skip} pixels. */
    private static double meanAbsDiff(int[] a, int[] b, int size, int skip) {
        double sum = 0;
        int n = 0;
        for (int y = skip; y < size - skip; y++)
            for (int x = skip; x < size - skip; x++)
                for (int shift = 0; shift <= 16; shift += 8, n++)
                    sum += Math.abs(((a[y * size + x] >> shift) & 0xFF) - ((b[y * size + x] >> shift) & 0xFF));
        return sum / n;
    }

    /** Standard deviation of the green channel. */
    private static double spread(int[] image) {
        double sum = 0, squares = 0;
        for (int p : image) {
            int g = (p >> 8) & 0xFF;
            sum += g;
            squares += g * g;
        }
        double mean = sum / image.length;
        return Math.sqrt(squares / image.length - mean * mean);
    }
}
