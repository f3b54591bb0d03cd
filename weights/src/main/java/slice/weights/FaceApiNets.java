package slice.weights;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Param;
import slice.models.face.FaceLandmarkNet;
import slice.models.face.FaceRecognitionNet;
import slice.models.face.TinyFaceDetector;

/**
 * face-api.js's networks with their published weights: each network names its weights as face-api does, and
 * {@link TfjsWeights} copies the tensors of the same names into them. A manifest with a tensor the network does not
 * have (the full landmark model given to the tiny net, say) is refused, as is one that lacks a tensor or has it in
 * another shape.
 */
public final class FaceApiNets {
    private FaceApiNets() { }

    /** The Tiny Face Detector for {@code inputSize × inputSize} inputs with the weights of {@code manifest}. */
    public static TinyFaceDetector detector(Path manifest, int inputSize) {
        TinyFaceDetector net = new TinyFaceDetector(inputSize);
        load(manifest, net.weights, "the Tiny Face Detector");
        return net;
    }

    /** The full ({@code tiny = false}) or tiny 68-point landmark net with the weights of {@code manifest}. */
    public static FaceLandmarkNet landmarks(Path manifest, boolean tiny) {
        FaceLandmarkNet net = new FaceLandmarkNet(tiny);
        load(manifest, net.weights, tiny ? "the tiny 68-point landmark net" : "the 68-point landmark net");
        return net;
    }

    /** The face-recognition ResNet (150 × 150 in, 128-number descriptor out) with the weights of {@code manifest}. */
    public static FaceRecognitionNet descriptor(Path manifest) {
        FaceRecognitionNet net = new FaceRecognitionNet();
        load(manifest, net.weights, "the face recognition net");
        return net;
    }

    /**
     * Loads the face-recognition ResNet weights of {@code manifest} into {@code graph}, built as {@link FaceRecognitionNet}
     * and perhaps cut before its end (a recogniser's backbone): by face-api's names ({@link FaceRecognitionNet#weightsOf}).
     * Every weight of the graph must be in the manifest; the tensors of layers past the cut are left unused. Says what
     * it loaded.
     */
    public static String loadDescriptor(Path manifest, Graph graph) {
        Map<Param, String> sources = new LinkedHashMap<>();
        FaceRecognitionNet.weightsOf(graph).forEach((name, param) -> sources.put(param, name));
        List<String> unused = TfjsWeights.read(manifest).load(sources);
        return sources.size() + " face-api tensors from " + manifest.getFileName()
                + (unused.isEmpty() ? "" : " (" + unused.size() + " past the cut unused)");
    }

    private static void load(Path manifest, Map<String, Param> named, String network) {
        TfjsWeights weights = TfjsWeights.read(manifest);
        Map<Param, String> sources = new LinkedHashMap<>(); // the network's order: the first missing tensor is reported
        named.forEach((name, param) -> sources.put(param, name));
        List<String> unused = weights.load(sources);
        if (!unused.isEmpty()) {
            throw new WeightsException(manifest + ": not the weights of " + network + ": it has " + unused.size()
                    + " tensors the network does not use (" + String.join(", ", unused.subList(0, Math.min(3, unused.size())))
                    + (unused.size() > 3 ? ", …" : "") + ")");
        }
    }
}
