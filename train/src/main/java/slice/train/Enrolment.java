package slice.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import slice.weights.Gallery;

/**
 * Changes to a {@link Gallery}: adding photos of a person, forgetting a person, and the unknown threshold that goes
 * with the people it then holds. Pure functions of gallery values; the commands read and write the files.
 *
 * <p>The threshold, recomputed after every change:
 * <ul>
 *   <li>when every person has at least 2 photos: the leave-one-out same-person distances — for each photo, its
 *       Euclidean distance to the nearest <em>other</em> photo of the same person (what {@link GalleryRecogniser}
 *       would answer for it were it not enrolled) — sorted, and the ⌈{@value #KEPT_PERCENT} % · n⌉-th smallest of the n
 *       taken (the distance that keeps {@value #KEPT_PERCENT} % of the enrolled people's own photos known), capped at
 *       {@value #DEFAULT_THRESHOLD}: with few photos one odd photo can set the percentile far out, and the cap keeps
 *       strangers out then;</li>
 *   <li>otherwise (an empty gallery, or someone with a single photo): {@value #DEFAULT_THRESHOLD}, the default of dlib's
 *       {@code face_recognition} package ({@code compare_faces(tolerance=0.6)}).</li>
 * </ul>
 * The more people and photos a gallery holds, the closer a stranger's nearest enrolled photo tends to be, and the
 * percentile follows the gallery down where a fixed 0.6 would let strangers in ({@code GalleryStudy} measures both).
 */
public final class Enrolment {
    private Enrolment() { }

    public static final double DEFAULT_THRESHOLD = 0.6;
    public static final int KEPT_PERCENT = 95;

    /** A gallery with nobody in it. */
    public static Gallery empty() {
        return calibrated(List.of());
    }

    /**
     * {@code gallery} with {@code photos} added to the person called {@code name} (a new person goes last), and the
     * threshold recomputed. Photos already enrolled for that person (same SHA-256) must have been left out by the caller.
     */
    public static Gallery add(Gallery gallery, String name, List<Gallery.Photo> photos) {
        String n = Gallery.personName(name);
        List<Gallery.Person> people = new ArrayList<>();
        boolean found = false;
        for (Gallery.Person p : gallery.people()) {
            if (p.name().equals(n)) {
                List<Gallery.Photo> all = new ArrayList<>(p.photos());
                all.addAll(photos);
                people.add(new Gallery.Person(n, all));
                found = true;
            } else {
                people.add(p);
            }
        }
        if (!found) people.add(new Gallery.Person(n, photos));
        return calibrated(people);
    }

    /** {@code gallery} without the person called {@code name}, threshold recomputed; an unknown name is refused. */
    public static Gallery forget(Gallery gallery, String name) {
        String n = Gallery.personName(name);
        List<Gallery.Person> people = new ArrayList<>(gallery.people());
        if (!people.removeIf(p -> p.name().equals(n))) throw new IllegalArgumentException("nobody called '" + n + "' is enrolled");
        return calibrated(people);
    }

    /** A gallery of {@code people} with the threshold of the class comment. */
    public static Gallery calibrated(List<Gallery.Person> people) {
        boolean enough = !people.isEmpty() && people.stream().allMatch(p -> p.photos().size() >= 2);
        if (!enough) {
            return new Gallery(people, DEFAULT_THRESHOLD, "face_recognition's default 0.6 (calibrating needs every person to have"
                    + " at least 2 photos)");
        }
        double[] d = leaveOneOutDistances(people);
        Arrays.sort(d);
        int rank = (int) Math.ceil(KEPT_PERCENT / 100.0 * d.length);
        double percentile = d[rank - 1];
        if (percentile >= DEFAULT_THRESHOLD) {
            return new Gallery(people, DEFAULT_THRESHOLD, String.format(Locale.ROOT, "face_recognition's default 0.6: %d %% of the %d"
                    + " leave-one-out same-person distances are at most %.4f, above it", KEPT_PERCENT, d.length, percentile));
        }
        return new Gallery(people, percentile, String.format(Locale.ROOT, "%d %% of the %d leave-one-out same-person distances"
                + " (each photo to the nearest other photo of its person) are at most %.4f", KEPT_PERCENT, d.length, percentile));
    }

    /** For each photo, in gallery order, the distance to the nearest other photo of the same person. */
    static double[] leaveOneOutDistances(List<Gallery.Person> people) {
        List<Double> out = new ArrayList<>();
        for (Gallery.Person p : people) {
            List<Gallery.Photo> photos = p.photos();
            for (int i = 0; i < photos.size(); i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < photos.size(); j++) {
                    if (j != i) best = Math.min(best, GalleryRecogniser.distance(photos.get(i).descriptor(), photos.get(j).descriptor()));
                }
                out.add(best);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
