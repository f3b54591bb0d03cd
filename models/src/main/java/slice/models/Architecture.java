package slice.models;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The backbones Slice builds, with the facts a user of each needs: CLI name, sizes, feature layer, preprocessing. */
public enum Architecture {
    MOBILENET_V2("mobilenetv2", 224, MobileNetV2.MIN_SIZE, MobileNetV2.FEATURE_LAYER),
    INCEPTION_V3("inceptionv3", 299, InceptionV3.MIN_SIZE, InceptionV3.FEATURE_LAYER);

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

    /** Both Keras models were trained on RGB scaled to [-1, 1] ({@code preprocess_input}, mode "tf"). */
    public Preprocessing preprocessing() {
        return Preprocessing.SCALE_TO_PLUS_MINUS_ONE;
    }

    /** The architecture called {@code name} (case-insensitive); a one-line error listing the choices otherwise. */
    public static Architecture byName(String name) {
        for (Architecture a : values()) if (a.id.equals(name.toLowerCase(Locale.ROOT))) return a;
        throw new IllegalArgumentException("unknown model '" + name + "': choose one of "
                + Arrays.stream(values()).map(a -> a.id).collect(Collectors.joining(", ")));
    }
}
