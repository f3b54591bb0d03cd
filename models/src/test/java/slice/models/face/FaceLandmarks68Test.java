package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaceLandmarks68Test {
    /** Point i at (i, 1000 − 2i). */
    private static FaceLandmarks68 numbered() {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < 68; i++) points.add(new Point(i, 1000 - 2 * i));
        return new FaceLandmarks68(points);
    }

    @Test
    void fivePointsAreTheEyeCentresNoseTipAndMouthCorners() {
        FaceLandmarks68 f = numbered();
        assertEquals(new Point(38.5, 1000 - 77), f.leftEyeCentre());         // mean of 36..41 = 38.5
        assertEquals(new Point(44.5, 1000 - 89), f.rightEyeCentre());        // mean of 42..47 = 44.5
        assertEquals(List.of(new Point(38.5, 923), new Point(44.5, 911), new Point(30, 940), new Point(48, 904), new Point(54, 892)),
                f.fivePoints());
    }

    @Test
    void paddedBoundsGrowsTheTightBoxHalfOnEachSide() {
        Box b = numbered().paddedBounds(0.2);                                 // tight box x 0..67, y 866..1000
        assertEquals(-6.7, b.x(), 1e-9);
        assertEquals(866 - 13.4, b.y(), 1e-9);
        assertEquals(67 * 1.2, b.width(), 1e-9);
        assertEquals(134 * 1.2, b.height(), 1e-9);
    }

    @Test
    void paddedBoundsIsFaceApisAlignedBoxOnTheReference() throws IOException {
        int faces = 0;
        for (JsonObject image : FaceApiReference.images()) {
            for (JsonElement face : image.getAsJsonArray("faces")) {
                Box ours = FaceApiReference.landmarks(face.getAsJsonObject()).paddedBounds(0.2);
                Box theirs = FaceApiReference.box(face.getAsJsonObject(), "aligned_box");
                // reference values are rounded to 3 decimals, and so were the landmarks we start from
                assertEquals(theirs.x(), ours.x(), 3e-3);
                assertEquals(theirs.y(), ours.y(), 3e-3);
                assertEquals(theirs.width(), ours.width(), 3e-3);
                assertEquals(theirs.height(), ours.height(), 3e-3);
                faces++;
            }
        }
        assertTrue(faces >= 20, "reference has " + faces + " faces");
    }

    @Test
    void dlibBoxIsASquareAboutTheEyesAndMouth() {
        FaceLandmarks68 f = numbered();
        assertEquals(new Point(57.5, 885), f.mouthCentre());                 // mean of 48..67 = 57.5
        // |m − l| = √1805, |m − r| = √845: size = floor(35.777 / 0.45) = 79; centre (46.83, 906.33)
        assertEquals(new Box(7, 872, 79, 79), f.dlibBox());                   // floor(46.83 − 39.5), floor(906.33 − 33.97)
        List<Point> shifted = new ArrayList<>();
        for (Point p : f.points()) shifted.add(new Point(p.x() - 40, p.y() - 890));
        assertEquals(new Box(0, 0, 79, 79), new FaceLandmarks68(shifted).dlibBox(), "clamped at the image's top left");
    }

    @Test
    void needsExactly68Points() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FaceLandmarks68(List.of(new Point(0, 0))));
        assertEquals("expected 68 landmarks, got 1", e.getMessage());
    }
}
