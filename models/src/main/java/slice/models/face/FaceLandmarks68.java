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

    private Point mean(int from, int to) {
        double x = 0, y = 0;
        for (int i = from; i < to; i++) {
            x += points.get(i).x();
            y += points.get(i).y();
        }
        return new Point(x / (to - from), y / (to - from));
    }
}
