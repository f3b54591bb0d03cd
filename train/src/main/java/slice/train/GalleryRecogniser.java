package slice.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import slice.models.face.FaceDescriber;
import slice.models.face.FaceFinder;
import slice.models.face.FaceLandmarks68;
import slice.train.data.RgbImage;
import slice.weights.Gallery;

/**
 * Names the faces of a photo from a {@link Gallery}, with no trained classifier: every face is found (detector and
 * 68 landmarks, {@link FaceFinder}), described (the 128-number dlib descriptor, {@link FaceDescriber}) and matched.
 *
 * <p>The rule (dlib's and the {@code face_recognition} package's convention): the distance between two faces is the
 * Euclidean distance between their descriptors, {@code ‖a − b‖₂}; a face's distance to a person is its distance to
 * the nearest of that person's enrolled photos; the face is the person at the smallest distance if that distance is
 * at most the gallery's {@link Gallery#threshold() threshold} (set by {@link Enrolment}), otherwise {@code unknown}.
 * Nearest photo rather than nearest centroid (the mean descriptor of a person): {@code GalleryStudy} in the bench module
 * compares the two on LFW.
 *
 * <p>Faces are searched with {@link FaceFinder#search} (the detector at input size {@value #INPUT_SIZE}, face-api's
 * default, or at a smaller photo's own size; again on an enlarged canvas when the photo alone shows none — a face
 * cropped to the photo's edges, as AT&amp;T's, leaves the detector no margin). Boxes and landmarks are in the photo's
 * pixels.
 *
 * <p>Thread-confined like {@link FaceFinder}: one recogniser per thread, {@link #copy()} shares the networks.
 */
public final class GalleryRecogniser {
    /** Faces scoring above this are recognised: face-api's default detector threshold. */
    public static final double DETECTION_THRESHOLD = 0.5;
    /** The detector's input size for photos at least this large. */
    public static final int INPUT_SIZE = 416;

    private final FaceFinder finder;
    private final FaceDescriber describer;
    private final Gallery gallery;

    /** A face of a photo and its descriptor. */
    public record DescribedFace(FaceFinder.Face face, float[] descriptor) {
        public FaceLandmarks68 landmarks() { return face.landmarks(); }
    }

    /**
     * The answer for one face: the face (box, score, landmarks in the decoded image's pixels), the {@code person} it
     * is, or {@code null} for unknown, the {@code nearest} person whatever the threshold ({@code null} for an empty
     * gallery) and the distance to them ({@code +∞} for an empty gallery).
     */
    public record Answer(FaceFinder.Face face, String person, String nearest, double distance) {
        public boolean known() { return person != null; }
    }

    /** {@code finder} at {@link #INPUT_SIZE}. */
    public GalleryRecogniser(FaceFinder finder, FaceDescriber describer, Gallery gallery) {
        if (finder.inputSize() != INPUT_SIZE) {
            throw new IllegalArgumentException("a finder at " + INPUT_SIZE + ", got " + finder.inputSize());
        }
        this.finder = finder;
        this.describer = describer;
        this.gallery = gallery;
    }

    /** Another recogniser over the same networks and gallery, for another thread. */
    public GalleryRecogniser copy() {
        return new GalleryRecogniser(finder.copy(), describer.copy(), gallery);
    }

    public Gallery gallery() { return gallery; }

    /** The same networks with another gallery (after an enrolment). */
    public GalleryRecogniser with(Gallery other) {
        return new GalleryRecogniser(finder, describer, other);
    }

    /** Every face of {@code photo} with its descriptor, by descending detection score (see the class comment). */
    public List<DescribedFace> describe(RgbImage photo) {
        List<FaceFinder.Face> faces = finder.search(photo.pixels(), photo.width(), photo.height(), DETECTION_THRESHOLD);
        float[][] d = describer.describe(photo.pixels(), photo.width(), photo.height(),
                faces.stream().map(FaceFinder.Face::landmarks).toList());
        List<DescribedFace> out = new ArrayList<>(faces.size());
        for (int i = 0; i < faces.size(); i++) out.add(new DescribedFace(faces.get(i), d[i]));
        return out;
    }

    /** The face with the largest detection box, or {@code null} when there is none. */
    public static DescribedFace largest(List<DescribedFace> faces) {
        return faces.stream().max(Comparator.comparingDouble(f -> f.face().detection().box().area())).orElse(null);
    }

    /** Every face of {@code photo}, named by the rule of the class comment, by descending detection score. */
    public List<Answer> recognise(RgbImage photo) {
        List<Answer> answers = new ArrayList<>();
        for (DescribedFace f : describe(photo)) answers.add(match(f));
        return answers;
    }

    /** One described face, named by the rule of the class comment. */
    public Answer match(DescribedFace face) {
        String nearest = null;
        double best = Double.POSITIVE_INFINITY;
        for (Gallery.Person p : gallery.people()) {
            for (Gallery.Photo photo : p.photos()) {
                double d = distance(face.descriptor(), photo.descriptor());
                if (d < best) {
                    best = d;
                    nearest = p.name();
                }
            }
        }
        return new Answer(face.face(), best <= gallery.threshold() ? nearest : null, nearest, best);
    }

    /** {@code ‖a − b‖₂}, summed in double. */
    public static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
