package slice.weights;

import java.util.List;
import java.util.Map;
import slice.models.Architecture;
import slice.models.Preprocessing;

/**
 * What a fine-tuned model file says about itself, stored as the JSON sidecar next to its tensors: enough to rebuild
 * the network and use it. {@link SavedModel} writes each typed field in one form and reads it back: the architecture
 * as its {@link Architecture#id id} ({@code mobilenetv2}), alpha as the float's shortest decimal ({@code 0.35}), the
 * preprocessing as {@link Preprocessing#describe} writes it ({@code RGB, x / 127.5 - 1.0}).
 *
 * @param architecture  the backbone
 * @param alpha         MobileNetV2 width multiplier (1.0 for InceptionV3)
 * @param inputSize     square input side in pixels, e.g. 224
 * @param cutLayer      the backbone layer the head sits on (a Keras layer name), or {@code null} for the whole backbone
 * @param classNames    output classes, in logit order
 * @param preprocessing how pixels become the network input
 * @param training      anything else the trainer records (head layout, epochs, optimiser, metrics, dates): JSON values,
 *                      i.e. strings, numbers ({@code Long} or {@code Double} once read back), booleans, lists and maps
 */
public record ModelCard(Architecture architecture, float alpha, int inputSize, String cutLayer, List<String> classNames,
                        Preprocessing preprocessing, Map<String, Object> training) {
    public ModelCard {
        classNames = List.copyOf(classNames);
        training = training == null ? Map.of() : training;
    }
}
