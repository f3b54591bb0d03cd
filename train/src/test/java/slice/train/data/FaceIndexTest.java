package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;
import slice.models.face.FaceAligner;
import slice.models.face.FaceFinder;
import slice.models.face.Similarity;
import slice.weights.FaceApiNets;

/**
 * Where the faces of real photos are: the same alignment whatever the photo's stored orientation or size, tight crops
 * found on the enlarged canvas, photos without a face, and detections read back from the cache.
 */
class FaceIndexTest {
    private static FaceFinder finder;
    @TempDir Path tmp;

    @BeforeAll
    static void networks() {
        Path models = SharedData.require("models/face_api");
        finder = new FaceFinder(FaceApiNets.detector(models.resolve("tiny_face_detector_model-weights_manifest.json"), 416),
                FaceApiNets.landmarks(models.resolve("face_landmark_68_model-weights_manifest.json"), false));
    }

    private FaceIndex index(Path cache) {
        return new FaceIndex(finder, new FaceAligner(96, 0.25), 0.5, "test", cache);
    }

    /** How far apart two alignments put the crop's corners and centre, in crop pixels. */
    private static double distance(Similarity a, Similarity b) {
        Similarity back = a.inverse();
        double worst = 0;
        for (double[] p : new double[][] {{0, 0}, {95, 0}, {0, 95}, {95, 95}, {48, 48}}) {
            var q = b.apply(back.apply(new slice.models.face.Point(p[0], p[1])));
            worst = Math.max(worst, Math.hypot(q.x() - p[0], q.y() - p[1]));
        }
        return worst;
    }

    @Test
    void aRotatedStoredPhotoAndALargerCopyAlignTheSameFace() throws Exception {
        Path photo = SharedData.require("faces/lfw_scenes_min20/Colin_Powell/Colin_Powell_0001.jpg");
        byte[] upright = Files.readAllBytes(photo);
        FaceIndex.Face face = index(null).locate(upright);
        assertEquals(1, face.faces());

        // Stored turned 90° counter-clockwise with EXIF orientation 6 ("rotate 90° clockwise to view"): same face.
        BufferedImage image = ImageIO.read(photo.toFile());
        BufferedImage turned = new BufferedImage(image.getHeight(), image.getWidth(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) turned.setRGB(y, image.getWidth() - 1 - x, image.getRGB(x, y));
        }
        byte[] tagged = TestImages.withExifOrientation(TestImages.encode(turned, "jpeg"), 6, false);
        FaceIndex.Face rotated = index(null).locate(tagged);
        assertEquals(1, rotated.faces());
        assertTrue(distance(face.photoToCrop(), rotated.photoToCrop()) < 2.5, "re-encoded JPEG, same face within 2.5 px");

        // Four times larger, decoded decimated: the alignment is in the photo's own pixels.
        BufferedImage big = new BufferedImage(4 * image.getWidth(), 4 * image.getHeight(), BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(image, 0, 0, big.getWidth(), big.getHeight(), null);
        FaceIndex.Face large = index(null).locate(TestImages.encode(big, "png"));
        Similarity shrunk = large.photoToCrop().after(Similarity.of(4, 0, 0, 0));
        assertTrue(distance(face.photoToCrop(), shrunk) < 2.5, "4× photo, same face within 2.5 crop pixels");
    }

    @Test
    void tightCropsAreFoundFacelessPhotosHaveNoneAndDetectionsAreCached() throws Exception {
        Path cache = tmp.resolve("faces");
        FaceIndex first = index(cache);
        byte[] tight = Files.readAllBytes(SharedData.require("faces/att_faces/s1/1.pgm"));
        FaceIndex.Face found = first.locate(tight);
        assertEquals(1, found.faces(), "AT&T's 92 × 112 face fills its frame");
        byte[] wall = TestImages.encode(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "png");
        FaceIndex.Face none = first.locate(wall);
        assertEquals(0, none.faces());
        assertNull(none.photoToCrop());
        try (var entries = Files.walk(cache)) {
            assertEquals(2, entries.filter(Files::isRegularFile).count(), "one entry per photo, faceless ones too");
        }
        FaceIndex.Face again = index(cache).locate(tight);
        assertNotNull(again.photoToCrop());
        assertEquals(found, again, "read back from the cache exactly");
        RgbImage crop = first.crop(ImageDecoder.decode(tight), 1, found.photoToCrop());
        assertEquals(96, crop.width());
        assertEquals(List.of(96, 96), List.of(crop.width(), crop.height()));
    }
}
