package slice.models;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import slice.models.face.FaceRecognitionNet;

/** The backbones Slice builds, with the facts a user of each needs: CLI name, sizes, feature layer, preprocessing. */
public enum Architecture {
    MOBILENET_V2("mobilenetv2", 224, MobileNetV2.MIN_SIZE, MobileNetV2.FEATURE_LAYER),
    INCEPTION_V3("inceptionv3", 299, InceptionV3.MIN_SIZE, InceptionV3.FEATURE_LAYER),
    /**
     * dlib's face ResNet as face-api.js ships it ({@link FaceRecognitionNet}): only 150 × 150; its features are the
     * 256-number {@code mean} before the descriptor (a trained head reads them better than the 128-number descriptor).
     */
    FACE_RESNET("face-resnet", FaceRecognitionNet.INPUT_SIZE, FaceRecognitionNet.INPUT_SIZE, FaceRecognitionNet.MEAN_LAYER);

    /** face-api's normalisation for {@link #FACE_RESNET}: {@code (x − meanRGB) / 255}. */
    private static final Preprocessing FACE_API = Preprocessing.centred("RGB", FaceRecognitionNet.MEAN_RGB, 255f);

    /** Name on the command line and in saved models, e.g. {@code mobilenetv2}. */
    public final String id;
    /** The input size the ImageNet weights were trained at. */
    public final int defaultSize;
    public final int minSize;
    /** The pooled features: what {@code features} writes and transfer learning trains on by default. */
    public final String featureLayer;

    Architecture(String id, int defaultSize, int minSize, String featureLayer) {
        this.id = id;
        this.defaultSize = defaultSize;
        this.minSize = minSize;
        this.featureLayer = featureLayer;
    }

    /**
     * Both Keras models were trained on RGB scaled to [-1, 1] ({@code preprocess_input}, mode "tf"); the face ResNet on
     * face-api's {@code (x − meanRGB) / 255}.
     */
    public Preprocessing preprocessing() {
        return this == FACE_RESNET ? FACE_API : Preprocessing.SCALE_TO_PLUS_MINUS_ONE;
    }

    /** Whether the network takes other input sizes than {@link #defaultSize} (the face ResNet does not). */
    public boolean resizable() {
        return this != FACE_RESNET;
    }

    /** The architecture called {@code name} (case-insensitive); a one-line error listing the choices otherwise. */
    public static Architecture byName(String name) {
        for (Architecture a : values()) if (a.id.equals(name.toLowerCase(Locale.ROOT))) return a;
        throw new IllegalArgumentException("unknown model '" + name + "': choose one of "
                + Arrays.stream(values()).map(a -> a.id).collect(Collectors.joining(", ")));
    }
}
