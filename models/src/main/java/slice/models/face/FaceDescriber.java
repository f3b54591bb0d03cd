package slice.models.face;

import java.util.List;
import slice.engine.Graph;
import slice.engine.Tensor;

/**
 * Turns faces into descriptors the way face-api.js's {@code withFaceDescriptors()} does: for each face, the square
 * {@link FaceLandmarks68#dlibBox} is clipped to the photo and floored ({@link LandmarkCrop#of}, face-api's
 * {@code clipAtImageBorders}), cut out, padded to a centred square and resized to 150 × 150 ({@link SquareInput}),
 * normalised ({@code (rgb − }{@link FaceRecognitionNet#MEAN_RGB}{@code ) / 255}) and run through the
 * {@link FaceRecognitionNet}, all faces of a photo in one batch.
 *
 * <p>A describer runs the network through a graph of its own (its activations are the describer's, the weights the
 * network's), so describers made from the same network share the weights and can run on different threads
 * ({@link #copy()}); one describer is not thread-safe.
 */
public final class FaceDescriber {
    private final FaceRecognitionNet net;
    private final Graph graph;

    /** The network must hold its weights already; the describer freezes it and plans its own graph for inference. */
    public FaceDescriber(FaceRecognitionNet net) {
        this.net = net;
        net.graph.setTrainable(false);
        graph = new Graph(net.graph.source(), net.graph.output());
        graph.planInference(1);
    }

    /** Another describer over the same network (weights shared, activations its own): one per thread. */
    public FaceDescriber copy() {
        return new FaceDescriber(net);
    }

    /**
     * The network's input for the face with {@code landmarks} in {@code pixels} ({@code 0xRRGGBB}, {@code width ×
     * height}, row-major): 150 × 150 × 3, RGB in {@code 0..255}, before normalisation. A box with no whole pixel
     * inside the photo is refused.
     */
    public static float[] input(int[] pixels, int width, int height, FaceLandmarks68 landmarks) {
        LandmarkCrop crop = LandmarkCrop.of(landmarks.dlibBox(), width, height);
        return SquareInput.padAndResize(pixels, width, height, crop.x(), crop.y(), crop.width(), crop.height(), true,
                FaceRecognitionNet.INPUT_SIZE);
    }

    /** The 128-number descriptor of each face, in the order given; an empty list gives an empty array. */
    public float[][] describe(int[] pixels, int width, int height, List<FaceLandmarks68> faces) {
        int size = FaceRecognitionNet.INPUT_SIZE, sample = size * size * 3, d = FaceRecognitionNet.DESCRIPTOR_SIZE;
        float[][] descriptors = new float[faces.size()][];
        if (faces.isEmpty()) return descriptors;
        float[] batch = new float[faces.size() * sample];
        for (int i = 0; i < faces.size(); i++) {
            float[] one = input(pixels, width, height, faces.get(i));
            FaceFinder.normalize(one, FaceRecognitionNet.MEAN_RGB);
            System.arraycopy(one, 0, batch, i * sample, sample);
        }
        Tensor out = graph.forward(Tensor.wrap(batch, faces.size(), size, size, 3), false);
        for (int i = 0; i < faces.size(); i++) {
            descriptors[i] = new float[d];
            System.arraycopy(out.data, i * d, descriptors[i], 0, d);
        }
        return descriptors;
    }
}
