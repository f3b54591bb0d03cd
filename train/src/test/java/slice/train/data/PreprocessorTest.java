package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;
import slice.weights.NpyFile;
import slice.models.Preprocessing;

class PreprocessorTest {
    private static final int SIZE = 224;

    /**
     * The reference inputs were made with PIL: decode, grey repeated to RGB, bilinear resize to 224, x/127.5-1.
     * (The PGM is att_faces/s5/1.pgm.) BMP and PGM decode identically everywhere, so our resize must match PIL up to
     * its 8-bit rounding (PIL rounds after each of its two passes): at most 1 level. JPEG decoders may differ slightly
     * (IDCT, chroma upsampling): at most 2 levels. The mean difference of every image must stay within 0.35 levels.
     */
    @Test
    void matchesPilBilinearOnReferenceInputs() throws Exception {
        Path reference = SharedData.require("reference/mobilenet_v2_0.5_224/input.npy");
        float[] expected = NpyFile.read(reference).data;
        Path[] sources = {
            SharedData.require("images/imagenet/grace_hopper.bmp"),
            SharedData.require("images/imagenet/bird.bmp"),
            SharedData.require("faces/att_faces/s5/1.pgm"),
            SharedData.require("faces/lfw_deepfunneled_min20/Colin_Powell/Colin_Powell_0001.jpg"),
        };
        Preprocessor pre = new Preprocessor(SIZE, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);
        int n = pre.imageLength();
        assertEquals(sources.length * n, expected.length);
        float[] batch = new float[sources.length * n];
        for (int i = 0; i < sources.length; i++) pre.preprocess(ImageDecoder.decode(Files.readAllBytes(sources[i])), batch, i * n);
        for (int i = 0; i < sources.length; i++) {
            double maxDiff = 0, sumDiff = 0;
            for (int j = 0; j < n; j++) {
                double d = Math.abs(batch[i * n + j] - expected[i * n + j]);
                maxDiff = Math.max(maxDiff, d);
                sumDiff += d;
            }
            double levels = maxDiff * 127.5, meanLevels = sumDiff / n * 127.5;
            boolean jpeg = sources[i].toString().endsWith(".jpg");
            String what = sources[i].getFileName() + ": max " + levels + " levels, mean " + meanLevels;
            assertTrue(levels <= (jpeg ? 2 : 1.01), what);
            assertTrue(meanLevels <= 0.35, what);
        }
        for (float v : batch) assertTrue(v >= -1f && v <= 1f);
    }

    /**
     * Shrinking a one-pixel black/white checkerboard 8× must average it to mid-grey everywhere (a sampling resize
     * would return pure black or white). A crop box selects its region (the filter reaches up to its support, here
     * under 8 pixels, beyond the box, as PIL's does).
     */
    @Test
    void downscalingAveragesInsteadOfSampling() {
        int w = 512, h = 384;
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) px[y * w + x] = ((x + y) & 1) == 0 ? 0xFFFFFF : 0x000000;
        Preprocessor pre = new Preprocessor(64, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);
        float[] out = new float[pre.imageLength()];
        pre.preprocess(new RgbImage(w, h, px), out, 0);
        for (float v : out) assertEquals(0f, v, 0.02f);

        for (int y = 0; y < h; y++) for (int x = w / 2; x < w; x++) px[y * w + x] = 0xFF0000;   // right half red
        pre.preprocess(new RgbImage(w, h, px), new Transform(w / 2.0 + 8, 0, w / 2.0 - 8, h, false, 0f, 1f), out, 0);
        for (int i = 0; i < out.length; i += 3) {
            assertEquals(1f, out[i], 1e-5f);
            assertEquals(-1f, out[i + 1], 1e-5f);
            assertEquals(-1f, out[i + 2], 1e-5f);
        }
    }

    /** {@code load} (prediction) decodes exactly as the feature cache does: large photos decimated to ≥ 4 × size. */
    @Test
    void loadDecodesLikeTrainingAndNamesProblems(@TempDir Path tmp) throws Exception {
        Preprocessor pre = new Preprocessor(64, Preprocessing.SCALE_TO_PLUS_MINUS_ONE);
        Path big = tmp.resolve("big.jpg");
        Files.write(big, TestImages.encode(TestImages.quadrants(2000, 1500), "jpeg"));
        float[] loaded = new float[pre.imageLength()], expected = new float[pre.imageLength()];
        pre.load(big, loaded, 0);
        RgbImage decimated = ImageDecoder.decode(Files.readAllBytes(big), 256);
        assertEquals(400, decimated.width());                  // factor 1500 / 256 = 5
        pre.preprocess(decimated, expected, 0);
        assertArrayEquals(expected, loaded);

        Path text = Files.writeString(tmp.resolve("notes.jpg"), "hello");
        assertEquals("not an image", assertThrows(IOException.class, () -> pre.load(text, loaded, 0)).getMessage());
        assertEquals("unreadable (NoSuchFileException)",
            assertThrows(IOException.class, () -> pre.load(tmp.resolve("missing.jpg"), loaded, 0)).getMessage());
    }
}
