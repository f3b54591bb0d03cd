package slice.models.face;

import java.util.List;

/**
 * The 68 facial landmarks of the iBUG 300-W convention (the order face-api.js's landmark nets output), in pixels of
 * the image. 0-based: jaw 0–16, eyebrows 17–21 and 22–26, nose bridge 27–30 (30 = tip), nostrils 31–35, eyes 36–41
 * and 42–47, mouth 48–67 (corners 48 and 54). "Left" and "right" here are as seen in the image: points 36–41 are the
 * eye on the image's left (the person's right eye), as in face-api's {@code FaceLandmarks68.getLeftEye()}.
 */
public record FaceLandmarks68(List<Point> points) {
    public static final int COUNT = 68;

    public FaceLandmarks68 {
        if (points.size() != COUNT) throw new IllegalArgumentException("expected 68 landmarks, got " + points.size());
        points = List.copyOf(points);
    }

    public Point point(int index) { return points.get(index); }

    /** Mean of points 36–41, the eye on the image's left. */
    public Point leftEyeCentre() { return mean(36, 42); }

    /** Mean of points 42–47, the eye on the image's right. */
    public Point rightEyeCentre() { return mean(42, 48); }

    /** Point 30, the tip of the nose. */
    public Point noseTip() { return points.get(30); }

    /** Point 48, the mouth corner on the image's left. */
    public Point mouthLeft() { return points.get(48); }

    /** Point 54, the mouth corner on the image's right. */
    public Point mouthRight() { return points.get(54); }

    /** The five points {@link FaceAligner} aligns: left eye, right eye, nose tip, left and right mouth corner. */
    public List<Point> fivePoints() {
        return List.of(leftEyeCentre(), rightEyeCentre(), noseTip(), mouthLeft(), mouthRight());
    }

    /**
     * face-api's {@code alignedRect} ({@code FaceLandmarks.align()}, default {@code minBoxPadding} 0.2): the smallest
     * box around the 68 points, grown by {@code padding} of its width and height, half on each side:
     * {@code (x − p·w/2, y − p·h/2, (1 + p)·w, (1 + p)·h)}. (face-api starts its maximum at 0, which only matters for a
     * face wholly at negative coordinates; so does this.)
     */
    public Box paddedBounds(double padding) {
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY, maxX = 0, maxY = 0;
        for (Point p : points) {
            minX = Math.min(minX, p.x());
            minY = Math.min(minY, p.y());
            maxX = Math.max(maxX, p.x());
            maxY = Math.max(maxY, p.y());
        }
        double w = maxX - minX, h = maxY - minY;
        return new Box(minX - padding * w / 2, minY - padding * h / 2, w + padding * w, h + padding * h);
    }

    /** Mean of points 48–67, the centre of the mouth. */
    public Point mouthCentre() { return mean(48, 68); }

    /**
     * face-api's box for its face descriptor ({@code FaceLandmarks.align} with {@code useDlibAlignment}): a
     * square, axis-aligned, not rotated. With the eye centres {@code l}, {@code r} and the mouth centre
     * {@code m}, {@code size = floor((|m − l| + |m − r|) / 2 / 0.45)}; with {@code c = (l + r + m) / 3},
     * <pre>
     *   (floor(max(0, c.x − 0.5·size)), floor(max(0, c.y − 0.43·size)), size, size)
     * </pre>
     * face-api also caps the width at {@code x} plus the width of the crop the landmarks came from (the height likewise);
     * that cap is left out here. It binds only when the landmark crop is narrower than {@code size − x}; on face-api's
     * reference faces it does not (their descriptors match ours).
     */
    public Box dlibBox() {
        Point l = leftEyeCentre(), r = rightEyeCentre(), m = mouthCentre();
        double eyeToMouth = (distance(m, l) + distance(m, r)) / 2;
        double size = Math.floor(eyeToMouth / 0.45);
        double cx = (l.x() + r.x() + m.x()) / 3, cy = (l.y() + r.y() + m.y()) / 3;
        return new Box(Math.floor(Math.max(0, cx - 0.5 * size)), Math.floor(Math.max(0, cy - 0.43 * size)), size, size);
    }

    /** {@code √(Δx² + Δy²)}, as face-api computes it (not {@link Math#hypot}, which may round differently). */
    private static double distance(Point a, Point b) {
        double dx = a.x() - b.x(), dy = a.y() - b.y();
        return Math.sqrt(dx * dx + dy * dy);
    }

    private Point mean(int from, int to) {
        double x = 0, y = 0;
        for (int i = from; i < to; i++) {
            x += points.get(i).x();
            y += points.get(i).y();
        }
        return new Point(x / (to - from), y / (to - from));
    }
}
