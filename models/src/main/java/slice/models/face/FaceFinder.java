package slice.models.face;

import java.util.ArrayList;
import java.util.List;
import slice.engine.Graph;
import slice.engine.Tensor;

/**
 * Finds the faces of a photo the way face-api.js's {@code detectAllFaces(...).withFaceLandmarks()} does: the Tiny
 * Face Detector on the photo padded to a square ({@link SquareInput}), its grid decoded and suppressed
 * ({@link YoloDecoder}), then a 68-point landmark net on each face's crop ({@link LandmarkCrop}), all faces in one batch.
 *
 * <p>Each network normalises its input as face-api does: {@code (rgb − meanRgb) / 255}. Not thread-safe: the two
 * graphs keep their activations; use one finder per thread.
 */
public final class FaceFinder {
    /** A face: where the detector found it, how sure it is, and its 68 landmarks in the photo's pixels. */
    public record Face(FaceDetection detection, FaceLandmarks68 landmarks) { }

    private final TinyFaceDetector detector;
    private final FaceLandmarkNet landmarkNet;

    /** The networks must hold their weights already (see {@code slice.weights.TfjsWeights}). */
    public FaceFinder(TinyFaceDetector detector, FaceLandmarkNet landmarkNet) {
        this.detector = detector;
        this.landmarkNet = landmarkNet;
        detector.graph.planInference(1);
        landmarkNet.graph.planInference(1);
    }

    public int inputSize() { return detector.inputSize; }

    /**
     * Every face of {@code pixels} ({@code 0xRRGGBB}, {@code width × height}, row-major) whose score exceeds
     * {@code scoreThreshold}, by descending score.
     */
    public List<Face> find(int[] pixels, int width, int height, double scoreThreshold) {
        List<FaceDetection> detections = detect(pixels, width, height, scoreThreshold);
        List<Face> faces = new ArrayList<>(detections.size());
        if (detections.isEmpty()) return faces;
        int size = FaceLandmarkNet.INPUT_SIZE, sample = size * size * 3;
        float[] batch = new float[detections.size() * sample];
        List<LandmarkCrop> crops = new ArrayList<>();
        for (int i = 0; i < detections.size(); i++) {
            LandmarkCrop crop = LandmarkCrop.of(detections.get(i).box(), width, height);
            crops.add(crop);
            float[] input = crop.input(pixels, width, height);
            normalize(input, FaceLandmarkNet.MEAN_RGB);
            System.arraycopy(input, 0, batch, i * sample, sample);
        }
        Tensor out = landmarkNet.graph.forward(Tensor.wrap(batch, detections.size(), size, size, 3), false);
        int points = 2 * FaceLandmarkNet.POINTS;
        for (int i = 0; i < detections.size(); i++) {
            float[] one = new float[points];
            System.arraycopy(out.data, i * points, one, 0, points);
            faces.add(new Face(detections.get(i), crops.get(i).landmarks(one)));
        }
        return faces;
    }

    /** The detector alone: boxes and scores, by descending score. */
    public List<FaceDetection> detect(int[] pixels, int width, int height, double scoreThreshold) {
        int s = detector.inputSize;
        float[] input = SquareInput.forDetector(pixels, width, height, s);
        normalize(input, TinyFaceDetector.MEAN_RGB);
        Graph g = detector.graph;
        Tensor grid = g.forward(Tensor.wrap(input, 1, s, s, 3), false);
        return YoloDecoder.TINY_FACE_DETECTOR.decode(grid.data, width, height, s, scoreThreshold);
    }

    /** {@code x ← (x − mean[channel]) / 255} over an HWC RGB array. */
    static void normalize(float[] rgb, float[] mean) {
        for (int i = 0; i < rgb.length; i++) rgb[i] = (rgb[i] - mean[i % 3]) / 255f;
    }
}
