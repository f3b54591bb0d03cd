package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;
import slice.models.Preprocessing;

class AugmentationTest {
    private static final String HASH = Hashes.sha256Hex("some image");

    @Test
    void sameFileCopyAndSeedGiveTheSameTransform() {
        Augmentation a = Augmentation.faces(7);
        for (int copy = 1; copy <= 5; copy++) {
            assertEquals(a.transform(HASH, copy, 250, 200), Augmentation.faces(7).transform(HASH, copy, 250, 200));
        }
        assertNotEquals(a.transform(HASH, 1, 250, 200), a.transform(HASH, 2, 250, 200));
        assertNotEquals(a.transform(HASH, 1, 250, 200), Augmentation.faces(8).transform(HASH, 1, 250, 200));
        assertNotEquals(a.transform(HASH, 1, 250, 200), a.transform(Hashes.sha256Hex("another"), 1, 250, 200));
        assertEquals(Transform.whole(250, 200), a.transform(HASH, 0, 250, 200));
        assertNotEquals(a.key(), Augmentation.faces(8).key());
    }

    @Test
    void transformsStayInsideTheirRanges() {
        Augmentation a = Augmentation.faces(1);
        int mirrored = 0;
        for (int copy = 1; copy <= 400; copy++) {
            Transform t = a.transform(HASH, copy, 92, 112);
            double area = t.width() * t.height() / (92.0 * 112);
            double ratio = t.width() / t.height();
            assertTrue(t.x() >= 0 && t.y() >= 0 && t.x() + t.width() <= 92 + 1e-9 && t.y() + t.height() <= 112 + 1e-9, t.toString());
            boolean whole = t.width() == 92 && t.height() == 112;                 // the fallback after 10 misses
            assertTrue(whole || (area >= 0.6 - 1e-9 && area <= 1 + 1e-9 && ratio >= 0.75 - 1e-9 && ratio <= 4.0 / 3 + 1e-9), t.toString());
            assertTrue(Math.abs(t.brightness()) <= 0.15f && Math.abs(t.contrast() - 1) <= 0.2f + 1e-6f, t.toString());
            if (t.mirror()) mirrored++;
        }
        assertEquals(200, mirrored, 40);
    }

    @Test
    void augmentedPixelsAreDeterministicInRangeAndDifferent() throws Exception {
        byte[] bytes = Files.readAllBytes(SharedData.require("faces/lfw_deepfunneled_min20/Ariel_Sharon/Ariel_Sharon_0001.jpg"));
        RgbImage image = ImageDecoder.decode(bytes);
        String hash = Hashes.sha256Hex(bytes);
        Preprocessor pre = new Preprocessor(96, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);
        Augmentation a = Augmentation.faces(3);
        float[] plain = new float[pre.imageLength()], first = new float[pre.imageLength()], again = new float[pre.imageLength()];
        pre.preprocess(image, plain, 0);
        pre.preprocess(image, a.transform(hash, 1, image.width(), image.height()), first, 0);
        pre.preprocess(image, a.transform(hash, 1, image.width(), image.height()), again, 0);
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(plain, first));
        for (float v : first) assertTrue(v >= -1f && v <= 1f);
    }

    /** A mirror with no crop or colour change reverses every row exactly. */
    @Test
    void mirrorReversesRows() throws Exception {
        RgbImage image = ImageDecoder.decode(TestImages.encode(TestImages.quadrants(32, 32), "png"));
        Preprocessor pre = new Preprocessor(16, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);
        float[] plain = new float[pre.imageLength()], mirrored = new float[pre.imageLength()];
        pre.preprocess(image, plain, 0);
        pre.preprocess(image, new Transform(0, 0, 32, 32, true, 0f, 1f), mirrored, 0);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                for (int c = 0; c < 3; c++)
                    assertEquals(plain[(y * 16 + x) * 3 + c], mirrored[(y * 16 + 15 - x) * 3 + c]);
    }

    /** Brightness shifts by 255·b/127.5 in network units; contrast scales deviations from each channel's mean. */
    @Test
    void brightnessAndContrastFollowTf() throws Exception {
        RgbImage grey = new RgbImage(2, 1, new int[] {0x404040, 0x808080});
        Preprocessor pre = new Preprocessor(2, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);
        float[] plain = new float[12], adjusted = new float[12];
        pre.preprocess(grey, new Transform(0, 0, 2, 1, false, 0f, 1f), plain, 0);
        pre.preprocess(grey, new Transform(0, 0, 2, 1, false, 0.1f, 1.5f), adjusted, 0);
        float mean = (plain[0] + plain[3]) / 2;
        for (int i = 0; i < 12; i += 3)
            assertEquals((plain[i] - mean) * 1.5f + mean + 0.2f, adjusted[i], 1e-6f);
    }
}
