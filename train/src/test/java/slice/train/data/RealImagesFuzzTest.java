package slice.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.SharedData;

/**
 * {@link ImageDecoder} on damaged copies of real photos from {@code ../shared/data} (an AT&T face as PGM, an LFW face
 * as a camera's JPEG), as {@link ImageDecoderFuzzTest} asserts on generated ones; skipped without the shared data.
 */
class RealImagesFuzzTest {
    private static final List<String> PHOTOS = List.of("faces/att_faces/s1/1.pgm",
            "faces/lfw_deepfunneled_min20/George_W_Bush/George_W_Bush_0001.jpg");
    private static List<byte[]> photos;

    @BeforeAll static void readPhotos() throws IOException {
        photos = List.of(Files.readAllBytes(SharedData.require(PHOTOS.get(0))), Files.readAllBytes(SharedData.require(PHOTOS.get(1))));
    }

    /** Which photo, damaged how. */
    record Case(int photo, List<Mutation> edits) { }

    @Test
    void damagedPhotoDecodesOrIsRefusedInOneLine() {
        Cases.run(1417, 400, r -> new Case(r.nextInt(photos.size()), Mutation.edits(r)), c -> {
            byte[] bytes = Mutation.applyAll(photos.get(c.photo()), c.edits());
            return Refusal.outcome(Refusal.assertReturnsOrRefuses(ImageDecoderFuzzTest.MAX_BYTES, () -> ImageDecoder.decode(bytes, 8),
                    IOException.class));
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }
}
