package slice.weights;

import java.util.List;
import java.util.Map;

/**
 * What a fine-tuned model file says about itself, stored as the JSON sidecar next to its tensors: enough to rebuild
 * the network and use it.
 *
 * @param architecture  the backbone's id, e.g. {@code mobilenetv2} or {@code inceptionv3} ({@code slice.models.Architecture})
 * @param alpha         MobileNetV2 width multiplier (1.0 for InceptionV3); stored with float precision
 * @param inputSize     square input side in pixels, e.g. 224
 * @param cutLayer      the backbone layer the head sits on (a Keras layer name), or {@code null} for the whole backbone
 * @param classNames    output classes, in logit order
 * @param preprocessing how pixels become the network input, as {@code slice.models.Preprocessing} writes it,
 *                      e.g. {@code RGB, x / 127.5 - 1.0}
 * @param training      anything else the trainer records (head layout, epochs, optimiser, metrics, dates): JSON values,
 *                      i.e. strings, numbers ({@code Long} or {@code Double} once read back), booleans, lists and maps
 */
public record ModelCard(String architecture, double alpha, int inputSize, String cutLayer, List<String> classNames,
                        String preprocessing, Map<String, Object> training) {
    public ModelCard {
        classNames = List.copyOf(classNames);
        training = training == null ? Map.of() : training;
    }
}
