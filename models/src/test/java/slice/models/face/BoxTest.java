package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BoxTest {
    @Test
    void iouOfPartlyOverlappingBoxes() {
        Box a = new Box(0, 0, 10, 10), b = new Box(5, 0, 10, 10);
        assertEquals(50.0 / 150.0, a.iou(b), 1e-12);                       // overlap 5 × 10, union 100 + 100 − 50
        assertEquals(a.iou(b), b.iou(a), 0);
        Box inner = new Box(2, 3, 4, 5);
        assertEquals(20.0 / 100.0, a.iou(inner), 1e-12);                   // contained: |inner| / |a|
    }

    @Test
    void iouIsOneForEqualAndZeroForDisjointOrTouchingBoxes() {
        Box a = new Box(1.5, 2.5, 3, 4);
        assertEquals(1.0, a.iou(new Box(1.5, 2.5, 3, 4)), 1e-12);
        assertEquals(0.0, a.iou(new Box(4.5, 2.5, 3, 4)), 0);              // shares the edge x = 4.5
        assertEquals(0.0, a.iou(new Box(100, 100, 3, 4)), 0);
        assertEquals(0.0, new Box(1, 1, 0, 0).iou(new Box(1, 1, 0, 0)), 0);
    }

    @Test
    void clipKeepsThePartInsideTheImage() {
        assertEquals(new Box(0, 0, 7, 5), new Box(-3, -2, 10, 7).clip(640, 480));
        assertEquals(new Box(630, 470, 10, 10), new Box(630, 470, 25, 30).clip(640, 480));
        assertEquals(new Box(10, 20, 30, 40), new Box(10, 20, 30, 40).clip(640, 480));
        Box outside = new Box(700, 10, 20, 20).clip(640, 480);
        assertEquals(0.0, outside.area(), 0);
        assertEquals(640.0, outside.x(), 0);
    }

    @Test
    void scaleAndShift() {
        Box relative = new Box(0.25, 0.5, 0.5, 0.25);
        assertEquals(new Box(160, 240, 320, 120), relative.scale(640, 480));
        assertEquals(new Box(-0.75, 2.5, 0.5, 0.25), relative.shift(-1, 2));
        assertEquals(Box.ofCorners(1, 2, 4, 8), new Box(1, 2, 3, 6));
        assertEquals(4.0, new Box(1, 2, 3, 6).right(), 0);
        assertEquals(8.0, new Box(1, 2, 3, 6).bottom(), 0);
    }

    @Test
    void rejectsNegativeSizesAndNonFiniteCoordinates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Box(0, 0, -1, 2));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Box(Double.NaN, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaceDetection(new Box(0, 0, 1, 1), 1.5));
    }
}
