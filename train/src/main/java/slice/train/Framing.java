package slice.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import slice.models.Architecture;
import slice.models.ModelSpec;
import slice.models.face.FaceAligner;
import slice.models.face.YoloDecoder;
import slice.train.data.FaceIndex;
import slice.weights.SavedModel;

/**
 * How a photo becomes the backbone's image, as {@code --faces} says and the model card records (so {@code predict} and
 * {@code evaluate} see what training saw): the {@linkplain Mode#WHOLE whole photo}, stretched to the input size, or
 * its face {@linkplain Mode#DETECT detected} and aligned ({@link FaceIndex}: eyes, nose and mouth onto a canonical
 * square, {@code margin} of extra view around the ArcFace framing on every side; for face-resnet, face-api's dlib box
 * instead, see {@link #index}, and a margin of 0: {@code train} refuses any other).
 *
 * @param detectorSize the face detector's input size
 * @param threshold    the face detector's score threshold
 */
record Framing(Mode mode, double margin, int detectorSize, double threshold) {
    /** {@code --faces}: whole photos, or the face found in each. */
    enum Mode {
        WHOLE, DETECT;

        @Override public String toString() { return name().toLowerCase(Locale.ROOT); }
    }

    static final int DETECTOR_SIZE = 416;
    /** {@code --face-margin}'s default for the ArcFace alignment (face-resnet's dlib box takes none: its cards record 0). */
    static final double DEFAULT_MARGIN = 0.25;
    static final double THRESHOLD = YoloDecoder.DEFAULT_SCORE_THRESHOLD;
    /** Model cards without a {@code faces} entry were trained on whole images. */
    static final Framing WHOLE = new Framing(Mode.WHOLE, 0, DETECTOR_SIZE, THRESHOLD);

    /** {@code --faces mode --face-margin margin} (the margin matters only to detected faces). */
    static Framing of(Mode mode, double margin) {
        return mode == Mode.WHOLE ? WHOLE : new Framing(mode, margin, DETECTOR_SIZE, THRESHOLD);
    }

    boolean detects() { return mode == Mode.DETECT; }

    /**
     * The face index of the backbone {@code spec}, or {@code null} for whole images. face-resnet sees faces framed as
     * face-api's descriptor frames them ({@link FaceAligner#dlibBox}; its margin is 0); the others the ArcFace
     * alignment with the margin.
     */
    FaceIndex index(FaceOptions models, ModelSpec spec, Path cacheDir) {
        if (!detects()) return null;
        FaceAligner aligner = spec.architecture() == Architecture.FACE_RESNET ? FaceAligner.dlibBox(spec.size())
                : new FaceAligner(spec.size(), margin);
        return new FaceIndex(models.finder(detectorSize), aligner, threshold, "landmarks=full", cacheDir);
    }

    /** The card's {@code training} entries. */
    Map<String, Object> toCard() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("faces", mode.toString());
        if (detects()) {
            m.put("face_margin", margin);
            m.put("face_detector_size", detectorSize);
            m.put("face_threshold", threshold);
        }
        return m;
    }

    /** What a card says ({@link #WHOLE} when it predates {@code --faces}); a damaged entry names the sidecar. */
    static Framing fromCard(Map<String, Object> training, Path model) {
        Object mode = training.get("faces");
        if (mode == null || "whole".equals(mode)) return WHOLE;
        if (!"detect".equals(mode)) throw UserError.about(SavedModel.sidecarOf(model), "training.faces is neither 'whole' nor 'detect'");
        if (!(training.get("face_margin") instanceof Number margin && training.get("face_detector_size") instanceof Number size
                && training.get("face_threshold") instanceof Number threshold)) {
            throw UserError.about(SavedModel.sidecarOf(model), "training.faces is 'detect' but the face settings are missing");
        }
        return new Framing(Mode.DETECT, margin.doubleValue(), size.intValue(), threshold.doubleValue());
    }
}
