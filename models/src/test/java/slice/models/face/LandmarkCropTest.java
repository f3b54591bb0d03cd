package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LandmarkCropTest {
    @Test
    void cropIsTheClippedBoxFlooredNumberByNumber() {
        assertEquals(new LandmarkCrop(20, 30, 100, 150, 20.4, 30.6), LandmarkCrop.of(new Box(20.4, 30.6, 100.9, 150.2), 640, 480));
        // off the left edge: starts at 0, keeps the 49.5 pixels inside; the origin stays the detected corner
        assertEquals(new LandmarkCrop(0, 5, 49, 40, -10.5, 5), LandmarkCrop.of(new Box(-10.5, 5, 60, 40), 640, 480));
        // off the right and bottom: 640 − 600.2 = 39.8 and 480 − 400.7 = 79.3 pixels inside
        assertEquals(new LandmarkCrop(600, 400, 39, 79, 600.2, 400.7), LandmarkCrop.of(new Box(600.2, 400.7, 80, 100), 640, 480));
    }

    @Test
    void aBoxWithNoWholePixelInsideIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LandmarkCrop.of(new Box(639.5, 10, 30, 30), 640, 480));
        assertTrue(e.getMessage().contains("no whole pixel inside the 640x480 image"), e.getMessage());
    }

    @Test
    void tallCropMapsTheInputBackToTheCropShiftedByTheDetectedCorner() {
        LandmarkCrop crop = LandmarkCrop.of(new Box(20.4, 30.6, 100.9, 150.2), 640, 480);   // 100 × 150
        double k = 112 / 150.0, padX = (112 - 100 * k) / 2;              // the crop is 74.67 wide at 112, 18.67 from the left
        float[] out = new float[136];
        for (int i = 0; i < 68; i++) { out[2 * i] = 0.5f; out[2 * i + 1] = 0.5f; }
        out[0] = (float) (padX / 112); out[1] = 0f;                          // point 0: the crop's top-left corner
        out[2] = (float) ((padX + 100 * k) / 112); out[3] = 1f;             // point 1: its bottom-right corner
        FaceLandmarks68 points = crop.landmarks(out);
        assertPoint(20.4, 30.6, points.point(0));
        assertPoint(20.4 + 100, 30.6 + 150, points.point(1));
        assertPoint(20.4 + 50, 30.6 + 75, points.point(2));                  // the input's centre is the crop's centre
    }

    @Test
    void wideCropIsPaddedAboveAndBelow() {
        LandmarkCrop crop = LandmarkCrop.of(new Box(-10.5, 5, 60, 40), 640, 480);      // 49 × 40, origin (−10.5, 5)
        double k = 112 / 49.0, padY = (112 - 40 * k) / 2;
        float[] out = new float[136];
        out[0] = 0.25f; out[1] = (float) ((padY + 10 * k) / 112);           // a quarter across, 10 crop pixels down
        assertPoint(-10.5 + 0.25 * 49, 5 + 10, crop.landmarks(out).point(0));
    }

    @Test
    void inputIsTheCropCentredAt112() {
        int w = 300, h = 200;
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) px[y * w + x] = (x % 256) << 16 | (y % 256) << 8;
        LandmarkCrop crop = LandmarkCrop.of(new Box(100, 50, 56, 112), w, h);          // 56 × 112: 28 zero columns each side
        float[] in = crop.input(px, w, h);
        assertEquals(112 * 112 * 3, in.length);
        assertEquals(0f, in[(10 * 112 + 27) * 3]);
        assertEquals(100f, in[(10 * 112 + 28) * 3]);                        // input column 28 = image column 100
        assertEquals(155f, in[(10 * 112 + 83) * 3]);
        assertEquals(60f, in[(10 * 112 + 40) * 3 + 1]);                     // input row 10 = image row 60
        assertEquals(0f, in[(10 * 112 + 84) * 3]);
    }

    @Test
    void rejectsAnOutputOfTheWrongLength() {
        LandmarkCrop crop = LandmarkCrop.of(new Box(0, 0, 50, 50), 100, 100);
        assertThrows(IllegalArgumentException.class, () -> crop.landmarks(new float[135]));
    }

    private static void assertPoint(double x, double y, Point p) {
        assertEquals(x, p.x(), 1e-4, "x");
        assertEquals(y, p.y(), 1e-4, "y");
    }
}
