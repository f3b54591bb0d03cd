package slice.models.face;

/**
 * An axis-aligned rectangle in pixels of some image: left edge {@code x}, top edge {@code y}, {@code width} and
 * {@code height} (so the right edge is {@code x + width}, the bottom {@code y + height}). Coordinates are continuous;
 * a box may extend past the image (a face cut by the frame edge) until it is {@link #clip clipped}.
 */
public record Box(double x, double y, double width, double height) {
    public Box {
        if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(width) || !Double.isFinite(height))
            throw new IllegalArgumentException("box has a non-finite coordinate: " + x + ", " + y + ", " + width + ", " + height);
        if (width < 0 || height < 0) throw new IllegalArgumentException("box has a negative size: " + width + " x " + height);
    }

    /** The box with corners {@code (left, top)} and {@code (right, bottom)}. */
    public static Box ofCorners(double left, double top, double right, double bottom) {
        return new Box(left, top, right - left, bottom - top);
    }

    public double right() { return x + width; }

    public double bottom() { return y + height; }

    public double area() { return width * height; }

    /**
     * Intersection over union, {@code |A ∩ B| / (|A| + |B| − |A ∩ B|)}: the overlap of two boxes from 0 (disjoint or
     * touching) to 1 (equal). Two empty boxes have IoU 0.
     */
    public double iou(Box other) {
        double overlapWidth = Math.max(0, Math.min(right(), other.right()) - Math.max(x, other.x));
        double overlapHeight = Math.max(0, Math.min(bottom(), other.bottom()) - Math.max(y, other.y));
        double intersection = overlapWidth * overlapHeight;
        double union = area() + other.area() - intersection;
        return union > 0 ? intersection / union : 0;
    }

    /**
     * The part of this box inside an image of {@code imageWidth × imageHeight} pixels, i.e. the intersection with
     * {@code [0, imageWidth] × [0, imageHeight]}; a box wholly outside becomes an empty box on the nearest edge.
     */
    public Box clip(int imageWidth, int imageHeight) {
        double left = Math.min(Math.max(x, 0), imageWidth), top = Math.min(Math.max(y, 0), imageHeight);
        double right = Math.max(Math.min(right(), imageWidth), left), bottom = Math.max(Math.min(bottom(), imageHeight), top);
        return ofCorners(left, top, right, bottom);
    }

    /** Every coordinate multiplied: {@code (x·sx, y·sy, width·sx, height·sy)}, e.g. relative → pixels. */
    public Box scale(double sx, double sy) {
        if (sx < 0 || sy < 0) throw new IllegalArgumentException("scale factors must not be negative: " + sx + ", " + sy);
        return new Box(x * sx, y * sy, width * sx, height * sy);
    }

    /** The same box moved by {@code (dx, dy)}. */
    public Box shift(double dx, double dy) {
        return new Box(x + dx, y + dy, width, height);
    }
}
