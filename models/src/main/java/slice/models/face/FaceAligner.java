package slice.models.face;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a face out of a photo as an upright, standard-sized square: fits the {@link Similarity} that carries five
 * landmarks (eye centres, nose tip, mouth corners; {@link FaceLandmarks68#fivePoints()}) closest, in least squares,
 * onto a canonical template, and resamples the image through it.
 *
 * <p><b>Template.</b> The five points of the ArcFace (insightface) 112 × 112 crop, in pixel coordinates of that crop
 * ({@link #ARCFACE_112}), rescaled to {@code size} and shrunk towards the centre by the {@code margin}: with pixel
 * centres at integer coordinates (crop edges at −½ and {@code size − ½}) and {@code c = (size − 1) / 2},
 * <pre>
 *   q = c + ((t + ½) · size / 112 − size / 2) / (1 + 2·margin)
 * </pre>
 * so margin 0 is the ArcFace crop itself and margin {@code m} widens the view by {@code m} of the ArcFace crop's side
 * on every side (0.25: the ArcFace crop fills the middle two thirds).
 *
 * <p><b>Warp.</b> Output pixel {@code (u, v)} takes the image at {@code T⁻¹(u, v)} ({@code T}: image → crop),
 * bilinearly: with {@code x0 = floor(x)}, {@code s = x − x0}, {@code y0 = floor(y)}, {@code t = y − y0},
 * <pre>
 *   out = (1−s)(1−t)·I[y0][x0] + s(1−t)·I[y0][x0+1] + (1−s)t·I[y0+1][x0] + st·I[y0+1][x0+1]
 * </pre>
 * per channel, rounded to 8 bits. Pixels outside the image count as black (0), as in OpenCV's {@code warpAffine}
 * with its default constant border, which insightface uses with this template; so a face near the frame edge gets
 * black corners rather than smeared edge pixels.
 *
 * <p>Images are {@code int[]} of {@code 0xRRGGBB} (alpha ignored, written as 0), row-major, as the training pipeline's
 * decoded images.
 */
public final class FaceAligner {
    /** insightface's {@code arcface_dst}: left eye, right eye, nose tip, left and right mouth corner in a 112 × 112 crop. */
    public static final List<Point> ARCFACE_112 = List.of(new Point(38.2946, 51.6963), new Point(73.5318, 51.5014),
            new Point(56.0252, 71.7366), new Point(41.5493, 92.3655), new Point(70.7299, 92.2041));

    private final int size;
    private final double margin;
    private final List<Point> template;
    /** Frames the face as face-api's descriptor does ({@link #dlibBox}) instead of by the five points. */
    private final boolean byDlibBox;

    /** Aligns to {@code size × size} crops with {@code margin} (≥ 0) of extra view around the ArcFace framing. */
    public FaceAligner(int size, double margin) {
        if (size <= 0) throw new IllegalArgumentException("crop size must be positive, got " + size);
        if (!(margin >= 0 && margin <= 10)) throw new IllegalArgumentException("margin must be in [0, 10], got " + margin);
        this.size = size;
        this.margin = margin;
        this.byDlibBox = false;
        double centre = (size - 1) / 2.0, shrink = 1 / (1 + 2 * margin);
        List<Point> points = new ArrayList<>();
        for (Point t : ARCFACE_112)
            points.add(new Point(centre + ((t.x() + 0.5) * size / 112 - size / 2.0) * shrink,
                                 centre + ((t.y() + 0.5) * size / 112 - size / 2.0) * shrink));
        this.template = List.copyOf(points);
    }

    private FaceAligner(int size) {
        this.size = size;
        this.margin = 0;
        this.template = List.of();
        this.byDlibBox = true;
    }

    /**
     * Crops of {@code size × size} framed as face-api's descriptor frames a face ({@link FaceDescriber#input}): the
     * square {@link FaceLandmarks68#dlibBox}, axis-aligned, scaled to the crop; crop pixel {@code (u, v)} samples the
     * image at {@code (x + u·s/size, y + v·s/size)} for the box {@code (x, y, s, s)}, as face-api's resize does. Unlike
     * face-api, the crop is rounded to 8 bits; its last row and column blend in the pixel past the box where face-api
     * repeats the box's edge; and a box that leaves the image on the right or bottom is not clipped and re-centred
     * (the part outside is black).
     */
    public static FaceAligner dlibBox(int size) {
        if (size <= 0) throw new IllegalArgumentException("crop size must be positive, got " + size);
        return new FaceAligner(size);
    }

    public int size() { return size; }

    /** What the crops depend on, for cache keys: {@code crop=112 margin=0.25}, or {@code crop=150 dlib-box}. */
    public String key() {
        return byDlibBox ? "crop=" + size + " dlib-box" : "crop=" + size + " margin=" + margin;
    }

    /** The similarity from the image to the crop of the face with {@code landmarks}: by the five points or the dlib box. */
    public Similarity transform(FaceLandmarks68 landmarks) {
        if (!byDlibBox) return transform(landmarks.fivePoints());
        Box box = landmarks.dlibBox();
        double scale = size / box.width();
        return new Similarity(scale, 0, -box.x() * scale, -box.y() * scale);
    }

    public double margin() { return margin; }

    /** The five canonical points in this aligner's crop. */
    public List<Point> template() { return template; }

    /** The least-squares similarity from the image to the crop for these five points (template order). */
    public Similarity transform(List<Point> fivePoints) {
        if (byDlibBox) throw new IllegalStateException("a dlib-box aligner frames by the 68 landmarks, not the five points");
        if (fivePoints.size() != template.size())
            throw new IllegalArgumentException("alignment needs the 5 points (eyes, nose tip, mouth corners), got " + fivePoints.size());
        return Similarity.fit(fivePoints, template);
    }

    /** The aligned {@code size × size} crop of the face with these landmarks. */
    public int[] align(int[] pixels, int width, int height, FaceLandmarks68 landmarks) {
        return warp(pixels, width, height, transform(landmarks));
    }

    /** The {@code size × size} image whose pixel {@code (u, v)} is the image's bilinear sample at {@code imageToCrop⁻¹(u, v)}. */
    public int[] warp(int[] pixels, int width, int height, Similarity imageToCrop) {
        if (width <= 0 || height <= 0 || pixels.length != width * height)
            throw new IllegalArgumentException("bad image: " + width + "x" + height + " with " + pixels.length + " pixels");
        Similarity back = imageToCrop.inverse();
        int[] out = new int[size * size];
        for (int v = 0; v < size; v++) {
            for (int u = 0; u < size; u++) {
                double x = back.a() * u - back.b() * v + back.tx(), y = back.b() * u + back.a() * v + back.ty();
                int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
                double s = x - x0, t = y - y0;
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    double value = (1 - s) * (1 - t) * channel(pixels, width, height, x0, y0, shift)
                            + s * (1 - t) * channel(pixels, width, height, x0 + 1, y0, shift)
                            + (1 - s) * t * channel(pixels, width, height, x0, y0 + 1, shift)
                            + s * t * channel(pixels, width, height, x0 + 1, y0 + 1, shift);
                    rgb |= Math.min(255, (int) Math.round(value)) << shift;
                }
                out[v * size + u] = rgb;
            }
        }
        return out;
    }

    private static int channel(int[] pixels, int width, int height, int x, int y, int shift) {
        if (x < 0 || y < 0 || x >= width || y >= height) return 0;
        return (pixels[y * width + x] >> shift) & 0xFF;
    }
}
