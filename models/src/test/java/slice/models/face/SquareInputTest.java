package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SquareInputTest {
    /** A {@code width × height} image with R = 40·x, G = 50·y, B = 200. */
    private static int[] ramp(int width, int height) {
        int[] px = new int[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) px[y * width + x] = (40 * x) << 16 | (50 * y) << 8 | 200;
        return px;
    }

    private static float at(float[] out, int size, int i, int j, int c) { return out[(i * size + j) * 3 + c]; }

    @Test
    void detectorPadsBelowALandscapeImageAndSamplesCornerAligned() {
        float[] out = SquareInput.forDetector(ramp(5, 3), 5, 3, 4);   // square side 5, ratio 1.25
        assertEquals(0f, at(out, 4, 0, 0, 0));
        assertEquals(50f, at(out, 4, 0, 1, 0));                          // x = 1.25: 40 · 1.25
        assertEquals(200f, at(out, 4, 0, 3, 2));
        assertEquals(62.5f, at(out, 4, 1, 0, 1));                        // y = 1.25: 50 · 1.25
        // y = 2.5 lies halfway between the last image row (y = 2) and the first padding row: half of row 2
        assertEquals(50f, at(out, 4, 2, 0, 1));
        assertEquals(100f, at(out, 4, 2, 0, 2));
        assertEquals(25f, at(out, 4, 2, 1, 0));
        for (int j = 0; j < 4; j++) for (int c = 0; c < 3; c++) assertEquals(0f, at(out, 4, 3, j, c));   // y = 3.75: padding
    }

    @Test
    void detectorPadsRightOfAPortraitImage() {
        float[] out = SquareInput.forDetector(ramp(3, 5), 3, 5, 5);   // no resize: the image, then two zero columns
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(40f * j, at(out, 5, i, j, 0));
                assertEquals(50f * i, at(out, 5, i, j, 1));
            }
            assertEquals(0f, at(out, 5, i, 3, 2));
            assertEquals(0f, at(out, 5, i, 4, 2));
        }
    }

    @Test
    void centredPaddingPutsTheSmallerHalfFirst() {
        // 2 × 5 region: 3 columns of padding, floor(3 / 2) = 1 before and 2 after, as face-api's padToSquare
        float[] out = SquareInput.padAndResize(ramp(4, 6), 4, 6, 1, 1, 2, 5, true, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(0f, at(out, 5, i, 0, 2));
            assertEquals(40f * 1, at(out, 5, i, 1, 0));                   // region column 0 = image column 1
            assertEquals(40f * 2, at(out, 5, i, 2, 0));
            assertEquals(50f * (i + 1), at(out, 5, i, 2, 1));             // region row i = image row i + 1
            assertEquals(0f, at(out, 5, i, 3, 2));
            assertEquals(0f, at(out, 5, i, 4, 2));
        }
        // 5 × 3 region: 2 rows of padding, one above and one below
        float[] wide = SquareInput.padAndResize(ramp(6, 6), 6, 6, 0, 2, 5, 3, true, 5);
        assertEquals(0f, at(wide, 5, 0, 2, 2));
        assertEquals(100f, at(wide, 5, 1, 2, 1));
        assertEquals(80f, at(wide, 5, 1, 2, 0));
        assertEquals(0f, at(wide, 5, 4, 2, 2));
    }

    @Test
    void halvingReadsEverySecondPixelWithoutAveraging() {
        float[] out = SquareInput.forDetector(ramp(6, 6), 6, 6, 3);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                assertEquals(40f * 2 * j, at(out, 3, i, j, 0));
                assertEquals(50f * 2 * i, at(out, 3, i, j, 1));
            }
    }

    @Test
    void rejectsARegionOutsideTheImage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SquareInput.padAndResize(ramp(4, 4), 4, 4, 2, 0, 3, 2, true, 8));
        assertEquals("region 3x2 at (2, 0) is not inside the 4x4 image", e.getMessage());
    }
}
