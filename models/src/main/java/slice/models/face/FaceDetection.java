package slice.models.face;

/**
 * One face found by the detector: its {@code box} in pixels of the original image and its {@code score}, the
 * detector's confidence in (0, 1) (for the Tiny Face Detector, the sigmoid of the anchor's objectness).
 */
public record FaceDetection(Box box, double score) {
    public FaceDetection {
        if (box == null) throw new IllegalArgumentException("a face detection needs a box");
        if (!(score >= 0 && score <= 1)) throw new IllegalArgumentException("score must be in [0, 1], got " + score);
    }
}
