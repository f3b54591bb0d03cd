package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;
import slice.models.Preprocessing;

class PreprocessorTest {
    private static final int SIZE = 224;

    /**
     * The reference inputs were made with PIL: decode, grey repeated to RGB, bilinear resize to 224, x/127.5-1.
     * (The PGM is att_faces/s5/1.pgm.) BMP and PGM decode identically everywhere, so our resize must match PIL up to its 8-bit rounding (PIL rounds
     * after each of its two passes: at most ~1 level). JPEG decoders may differ slightly (IDCT, chroma upsampling);
     * measured: ≤ 1 level here too, mean ≤ 0.31 levels for all four.
     */
    @Test
    void matchesPilBilinearOnReferenceInputs() throws Exception {
        Path reference = SharedData.require("reference/mobilenet_v2_0.5_224/input.npy");
        float[] expected = Npy.readFloats(reference);
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
}
