package slice.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.SharedData;

/**
 * {@link ImageDecoder} on damaged copies of real photos from {@code ../shared/data} (an AT&T face as PGM, an LFW face
 * as a camera's JPEG), as {@link ImageDecoderFuzzTest} asserts on generated ones; skipped without the shared data.
 */
@AddLifecycleHook(RealImagesFuzzTest.SkipWithoutSharedData.class)
class RealImagesFuzzTest {
    private static final List<String> PHOTOS = List.of("faces/att_faces/s1/1.pgm",
            "faces/lfw_deepfunneled_min20/George_W_Bush/George_W_Bush_0001.jpg");
    private static List<byte[]> photos;

    /**
     * jqwik's counterpart of {@link SharedData#require}'s skip, which jqwik would report as an error: skips the class
     * on a fresh clone without the data; in CI the class runs and {@link #readPhotos} fails.
     */
    static final class SkipWithoutSharedData implements SkipExecutionHook {
        @Override public SkipResult shouldBeSkipped(LifecycleContext context) {
            boolean present = PHOTOS.stream().allMatch(p -> Files.exists(SharedData.root().resolve(p)));
            return present || "true".equals(System.getenv("CI")) ? SkipResult.doNotSkip()
                    : SkipResult.skip("shared data not present (fresh clone): " + SharedData.root());
        }
    }

    @BeforeContainer static void readPhotos() throws IOException {
        photos = List.of(Files.readAllBytes(SharedData.require(PHOTOS.get(0))), Files.readAllBytes(SharedData.require(PHOTOS.get(1))));
    }

    @Provide Arbitrary<Integer> photo() {
        return Arbitraries.integers().between(0, 1);
    }

    @Provide Arbitrary<List<Mutation>> edits() {
        return Mutation.edits();
    }

    @Property(seed = "1417", tries = 400)
    void damagedPhotoDecodesOrIsRefusedInOneLine(@ForAll("photo") int photo, @ForAll("edits") List<Mutation> edits) {
        byte[] bytes = Mutation.applyAll(photos.get(photo), edits);
        Refusal.tally(Refusal.assertReturnsOrRefuses(ImageDecoderFuzzTest.MAX_BYTES, () -> ImageDecoder.decode(bytes, 8),
                IOException.class));
    }
}
