package slice.models;

import slice.engine.Graph;
import slice.models.face.FaceRecognitionNet;

/**
 * What to build: architecture, width multiplier (MobileNetV2 only; 1.0 for the others), square input size, and
 * whether to add a {@code predictions} layer of {@code classes} logits after the pooled features ({@code classes} is
 * stored as 0 without it). Inputs are square: the ImageNet weights were trained on square images, and so are faces.
 */
public record ModelSpec(Architecture architecture, float alpha, int size, boolean includeTop, int classes) {
    /**
     * The largest input side any architecture is built at: 2048, over nine times the ImageNet sizes (224, 299). The
     * rule is that every tensor of every network stays far inside a Java array (int indices) — MobileNetV2 α1.4's
     * largest activation at 2048 is 1024² × 134 ≈ 1.4·10⁸ floats of the 2³¹ an array holds — so sizes are checked
     * before anything is built; whether one image's activations fit the heap is the caller's second check.
     */
    public static final int MAX_SIZE = 2048;

    public ModelSpec {
        if (architecture == Architecture.MOBILENET_V2) MobileNetV2.checkAlpha(alpha);
        else if (alpha != 1f) throw new IllegalArgumentException(architecture.id + " has no width multiplier; alpha must be 1.0, got " + alpha);
        if (!architecture.resizable() && size != architecture.defaultSize) {
            throw new IllegalArgumentException(architecture.id + " takes only " + architecture.defaultSize + " pixels, got " + size);
        }
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException(architecture.id + " takes an input of at most " + MAX_SIZE + " pixels, got " + size);
        }
        if (size < architecture.minSize) {
            throw new IllegalArgumentException(architecture.id + " needs an input of at least " + architecture.minSize + " pixels, got " + size);
        }
        if (includeTop && architecture == Architecture.FACE_RESNET) {
            throw new IllegalArgumentException(architecture.id + " has no classifier of its own (its output is the descriptor)");
        }
        if (includeTop && classes < 1) throw new IllegalArgumentException("classes must be positive, got " + classes);
        if (!includeTop) classes = 0;
    }

    /** The spec for the architecture named {@code name} ({@code mobilenetv2}, {@code inceptionv3}, {@code face-resnet}). */
    public static ModelSpec of(String name, float alpha, int size, boolean includeTop, int classes) {
        return new ModelSpec(Architecture.byName(name), alpha, size, includeTop, classes);
    }

    /** A fresh network (zero weights; load a weight file into it) from the input to the pooled features or logits. */
    public Graph build() {
        return switch (architecture) {
            case MOBILENET_V2 -> MobileNetV2.build(alpha, size, includeTop, classes);
            case INCEPTION_V3 -> InceptionV3.build(size, includeTop, classes);
            case FACE_RESNET -> new FaceRecognitionNet().graph;
        };
    }

    /** The pooled-features layer ({@code global_average_pooling2d}, {@code avg_pool} or face-resnet's {@code mean}). */
    public String featureLayer() {
        return architecture.featureLayer;
    }

    public Preprocessing preprocessing() {
        return architecture.preprocessing();
    }
}
