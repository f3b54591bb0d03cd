package slice.models.face;

/** A point in pixels of an image, {@code x} to the right and {@code y} down. */
public record Point(double x, double y) {
    public Point {
        if (!Double.isFinite(x) || !Double.isFinite(y))
            throw new IllegalArgumentException("point has a non-finite coordinate: " + x + ", " + y);
    }
}
