package slice.train.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import slice.engine.Parallel;
import slice.models.face.Box;
import slice.models.face.FaceAligner;
import slice.models.face.FaceFinder;
import slice.models.face.FaceLandmarks68;
import slice.models.face.Point;
import slice.models.face.Similarity;
import slice.weights.io.AtomicFiles;

/**
 * {@code --faces detect}: where the face of each photo is. Every photo goes through the face detector and the landmark
 * net ({@link FaceFinder}); its largest face (by box area) is kept as the {@link Similarity} that aligns it
 * ({@link FaceAligner}: eyes, nose and mouth corners onto a canonical square crop with a margin), in the photo's own
 * pixels. Faces are searched with {@link FaceFinder#search} (again on an enlarged canvas when the photo alone shows
 * none). A photo with no face has no entry.
 *
 * <p>What the detector found is cached on disk per photo content and setting ({@code dir/ab/abcd….face}: the number of
 * faces and the largest one's alignment, as text), so a re-run does not detect again.
 */
public final class FaceIndex {
    /** A photo's face: the alignment of its largest face ({@code null} when none), and how many faces the photo has. */
    public record Face(Similarity photoToCrop, int faces) { }

    /** One face of a photo: its box and score (the photo's pixels) and its alignment. */
    public record Found(Box box, double score, Similarity photoToCrop) { }

    /** Bumped whenever detection or the choice of face changes. */
    private static final String VERSION = "faces-v2";
    /** Photos are decoded with the shorter side at least this many pixels (larger ones decimated) for detection. */
    private static final int DECODE_AT_LEAST = 1080;

    private final ThreadLocal<FaceFinder> finders;
    private final FaceAligner aligner;
    private final double threshold;
    private final String setting;
    private final Path cacheDir;
    private final Map<String, Face> bySha = new HashMap<>();

    /**
     * @param finder    the networks (one copy is made per thread)
     * @param aligner   the crop: the backbone's input size and the margin around the face
     * @param threshold the detector's score threshold
     * @param setting   what else determines the detections (e.g. the landmark net), for the cache key
     * @param cacheDir  where detections are cached, or {@code null} for no cache
     */
    public FaceIndex(FaceFinder finder, FaceAligner aligner, double threshold, String setting, Path cacheDir) {
        this.finders = ThreadLocal.withInitial(finder::copy);
        this.aligner = aligner;
        this.threshold = threshold;
        this.setting = String.format(Locale.ROOT, "%s input=%d threshold=%s %s", VERSION, finder.inputSize(), threshold, setting);
        this.cacheDir = cacheDir;
    }

    /** What the crops depend on besides the photo, for the feature cache's key. */
    public String key() {
        return setting + " " + aligner.key();
    }

    public FaceAligner aligner() { return aligner; }

    /**
     * Finds the face of every sample (in parallel); returns the samples without one. A photo that cannot be read or
     * decoded any more is a {@link DataException}.
     */
    public List<Sample> locate(List<Sample> samples) {
        Face[] found = new Face[samples.size()];
        String[] failure = new String[samples.size()];
        Parallel.forRange(samples.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                Sample s = samples.get(i);
                try {
                    found[i] = locate(Files.readAllBytes(s.file()));
                } catch (IOException e) {
                    failure[i] = s.file() + ": " + e.getMessage();
                }
            }
        });
        for (String f : failure) if (f != null) throw new DataException(f);
        List<Sample> faceless = new ArrayList<>();
        synchronized (bySha) {
            for (int i = 0; i < samples.size(); i++) {
                if (found[i].faces() > 0) bySha.put(samples.get(i).sha256(), found[i]);
                else faceless.add(samples.get(i));
            }
        }
        return faceless;
    }

    /** The largest face of the photo in {@code bytes} (from the cache when it was found before). */
    public Face locate(byte[] bytes) throws IOException {
        String sha256 = Hashes.sha256Hex(bytes);
        Face face = cached(sha256);
        return face != null ? face : store(sha256, detect(decodePhoto(bytes)));
    }

    /**
     * A photo's bytes decoded for finding its faces: upright, its shorter side kept at least {@value #DECODE_AT_LEAST}
     * pixels (a larger photo decimated while decoding, memory bounded), with the map back to the photo's pixels.
     */
    public static ImageDecoder.Scaled decodePhoto(byte[] bytes) throws IOException {
        return ImageDecoder.decodeScaled(bytes, DECODE_AT_LEAST);
    }

    /** The face of a located sample. */
    public Face face(Sample s) {
        synchronized (bySha) {
            Face f = bySha.get(s.sha256());
            if (f == null) throw new IllegalStateException(s.file() + " has no located face");
            return f;
        }
    }

    /** The number of located photos with more than one face. */
    public int photosWithSeveralFaces() {
        synchronized (bySha) {
            return (int) bySha.values().stream().filter(f -> f.faces() > 1).count();
        }
    }

    /**
     * Every face of a photo (searched on the enlarged canvas too when none is found on the photo), by descending score:
     * box, score and alignment, in the photo's pixels.
     */
    public List<Found> all(ImageDecoder.Scaled photo) {
        RgbImage image = photo.image();
        List<Found> found = new ArrayList<>();
        int k = photo.factor();
        for (FaceFinder.Face f : finders.get().search(image.pixels(), image.width(), image.height(), threshold)) {
            Box b = f.detection().box();
            found.add(new Found(new Box(b.x() * k, b.y() * k, b.width() * k, b.height() * k), f.detection().score(),
                    alignment(f.landmarks(), k)));
        }
        return found;
    }

    /** The aligned crop of {@code image} (decoded with decimation {@code factor}) through {@code photoToCrop}. */
    public RgbImage crop(RgbImage image, int factor, Similarity photoToCrop) {
        Similarity decodedToCrop = photoToCrop.after(Similarity.of(factor, 0, 0, 0));
        int[] pixels = aligner.warp(image.pixels(), image.width(), image.height(), decodedToCrop);
        return new RgbImage(aligner.size(), aligner.size(), pixels);
    }

    /** The largest face of the photo (searched on the enlarged canvas when none is found on the photo itself), or none. */
    private Face detect(ImageDecoder.Scaled photo) {
        RgbImage image = photo.image();
        List<FaceFinder.Face> faces = finders.get().search(image.pixels(), image.width(), image.height(), threshold);
        if (faces.isEmpty()) return new Face(null, 0);
        FaceFinder.Face largest = faces.stream().max(Comparator.comparingDouble(f -> f.detection().box().area())).orElseThrow();
        return new Face(alignment(largest.landmarks(), photo.factor()), faces.size());
    }

    /** The similarity from photo pixels to the crop, for landmarks found on an image decimated by {@code factor}. */
    private Similarity alignment(FaceLandmarks68 landmarks, int factor) {
        List<Point> points = new ArrayList<>();
        for (Point p : landmarks.points()) points.add(new Point(p.x() * factor, p.y() * factor));
        return aligner.transform(new FaceLandmarks68(points));
    }

    private Path entry(String sha256) {
        String key = Hashes.sha256Hex(key() + "\nimage=" + sha256);
        return cacheDir.resolve(key.substring(0, 2)).resolve(key + ".face");
    }

    /** The cached face of a photo, or null when none is cached (or the entry is damaged). */
    private Face cached(String sha256) throws IOException {
        return cacheDir == null ? null : readEntry(entry(sha256));
    }

    /**
     * The face a cache entry records, or null when there is no entry or it is damaged (then the photo is detected
     * again): the text {@link #store} writes, read byte for byte (a damaged byte is not a decoding error), with a
     * finite alignment.
     */
    static Face readEntry(Path entry) throws IOException {
        String text;
        try {
            text = new String(Files.readAllBytes(entry), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        }
        String[] f = text.strip().split(" ");
        try {
            int faces = Integer.parseInt(f[0]);
            if (faces == 0 && f.length == 1) return new Face(null, 0);
            if (faces < 1 || f.length != 5) return null;
            return new Face(new Similarity(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4])), faces);
        } catch (IllegalArgumentException e) {   // a number that does not parse, or a non-finite alignment
            return null;
        }
    }

    private Face store(String sha256, Face face) throws IOException {
        if (cacheDir == null) return face;
        Similarity s = face.photoToCrop();
        String text = face.faces() == 0 ? "0\n"
                : String.format(Locale.ROOT, "%d %s %s %s %s%n", face.faces(), s.a(), s.b(), s.tx(), s.ty());
        AtomicFiles.writeString(entry(sha256), text);
        return face;
    }
}
