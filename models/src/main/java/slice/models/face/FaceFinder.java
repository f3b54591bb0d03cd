package slice.models.face;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import slice.engine.Graph;
import slice.engine.Tensor;

/**
 * Finds the faces of a photo the way face-api.js's {@code detectAllFaces(...).withFaceLandmarks()} does: the Tiny
 * Face Detector on the photo padded to a square ({@link SquareInput}), its grid decoded and suppressed
 * ({@link YoloDecoder}), then a 68-point landmark net on each face's crop ({@link LandmarkCrop}), all faces in one batch.
 *
 * <p><b>Detector size.</b> The detector runs at the given input size, or, for a photo smaller than that, at the photo's
 * own size (its larger side rounded up to a multiple of 32, at least {@value #MIN_INPUT_SIZE}): a photo is never
 * enlarged for the detector, whose anchors were fitted to faces at most about four fifths of the frame — a small tight
 * crop (AT&T's 92 × 112) blown up to 416 shows the detector a face larger than any it learnt.
 *
 * <p>Each network normalises its input as face-api does: {@code (rgb − meanRgb) / 255}. A finder runs the networks
 * through graphs of its own (their activations are the finder's, their weights the networks'), so finders made from
 * the same networks share the weights and can run on different threads; one finder is not thread-safe.
 */
public final class FaceFinder {
    /** A face: where the detector found it, how sure it is, and its 68 landmarks in the photo's pixels. */
    public record Face(FaceDetection detection, FaceLandmarks68 landmarks) { }

    /** The smallest detector input size used. */
    public static final int MIN_INPUT_SIZE = 128;

    private final TinyFaceDetector detector;
    /** The detector at each smaller size in use, shared by the copies of a finder. */
    private final Map<Integer, TinyFaceDetector> detectors;
    private final FaceLandmarkNet landmarkNet;
    /** This finder's graphs of the detector, by input size. */
    private final Map<Integer, Graph> detectorGraphs = new HashMap<>();
    private final Graph landmarkGraph;

    /** The networks must hold their weights already (see {@code slice.weights.FaceApiNets}). */
    public FaceFinder(TinyFaceDetector detector, FaceLandmarkNet landmarkNet) {
        this(detector, new ConcurrentHashMap<>(), landmarkNet);
    }

    private FaceFinder(TinyFaceDetector detector, Map<Integer, TinyFaceDetector> detectors, FaceLandmarkNet landmarkNet) {
        this.detector = detector;
        this.detectors = detectors;
        this.landmarkNet = landmarkNet;
        landmarkGraph = new Graph(landmarkNet.graph.source(), landmarkNet.graph.output());
        landmarkGraph.planInference(1);
    }

    /** Another finder over the same networks (weights shared, activations its own): one per thread. */
    public FaceFinder copy() {
        return new FaceFinder(detector, detectors, landmarkNet);
    }

    /** The largest detector input size: the detector's own. */
    public int inputSize() { return detector.inputSize; }

    /** The detector input size for a {@code width × height} photo (see the class comment). */
    public int inputSize(int width, int height) {
        int own = (Math.max(width, height) + 31) / 32 * 32;
        return Math.min(detector.inputSize, Math.max(MIN_INPUT_SIZE, own));
    }

    /** This finder's planned graph of the detector at {@code size}. */
    private Graph detectorGraph(int size) {
        return detectorGraphs.computeIfAbsent(size, s -> {
            TinyFaceDetector net = s == detector.inputSize ? detector : detectors.computeIfAbsent(s, detector::atSize);
            Graph g = new Graph(net.graph.source(), net.graph.output());
            g.planInference(1);
            return g;
        });
    }

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
        Tensor out = landmarkGraph.forward(Tensor.wrap(batch, detections.size(), size, size, 3), false);
        int points = 2 * FaceLandmarkNet.POINTS;
        for (int i = 0; i < detections.size(); i++) {
            float[] one = new float[points];
            System.arraycopy(out.data, i * points, one, 0, points);
            faces.add(new Face(detections.get(i), crops.get(i).landmarks(one)));
        }
        return faces;
    }

    /**
     * {@link #find}, and when it finds no face, {@link #find} again on a black canvas twice the photo's size with the
     * photo in the middle (boxes and landmarks mapped back to the photo): a tight crop whose face fills the frame (an
     * ID photo, AT&T's faces) becomes a face of the size the detector learnt, with room around it.
     */
    public List<Face> search(int[] pixels, int width, int height, double scoreThreshold) {
        List<Face> faces = find(pixels, width, height, scoreThreshold);
        if (!faces.isEmpty()) return faces;
        int pad = Math.max(width, height) / 2, w = width + 2 * pad, h = height + 2 * pad;
        int[] canvas = new int[w * h];
        for (int y = 0; y < height; y++) System.arraycopy(pixels, y * width, canvas, (y + pad) * w + pad, width);
        List<Face> found = new ArrayList<>();
        for (Face f : find(canvas, w, h, scoreThreshold)) {
            List<Point> points = new ArrayList<>();
            for (Point p : f.landmarks().points()) points.add(new Point(p.x() - pad, p.y() - pad));
            found.add(new Face(new FaceDetection(f.detection().box().shift(-pad, -pad), f.detection().score()),
                    new FaceLandmarks68(points)));
        }
        return found;
    }

    /** The detector alone: boxes and scores, by descending score. */
    public List<FaceDetection> detect(int[] pixels, int width, int height, double scoreThreshold) {
        int s = inputSize(width, height);
        float[] input = SquareInput.forDetector(pixels, width, height, s);
        normalize(input, TinyFaceDetector.MEAN_RGB);
        Tensor grid = detectorGraph(s).forward(Tensor.wrap(input, 1, s, s, 3), false);
        return YoloDecoder.TINY_FACE_DETECTOR.decode(grid.data, width, height, s, scoreThreshold);
    }

    /** {@code x ← (x − mean[channel]) / 255} over an HWC RGB array. */
    static void normalize(float[] rgb, float[] mean) {
        for (int i = 0; i < rgb.length; i++) rgb[i] = (rgb[i] - mean[i % 3]) / 255f;
    }
}
