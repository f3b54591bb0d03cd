package slice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.Layer;

/**
 * The fine-tuning steps train what {@code torch_peer.py} trains: after {@code block_12_add}, MobileNetV2's blocks 13–16
 * (torchvision {@code features[14:18]}, three convolutions each), {@code Conv_1} and the top; after {@code mixed7},
 * InceptionV3's {@code mixed8}–{@code mixed10} (torchvision {@code Mixed_7a}–{@code Mixed_7c}: 6 + 9 + 9 convolutions,
 * each with its batch norm) and the top. And the FLOP count of a step sits between inference and the full step.
 */
class TrainingTest {
    /** Layer type name → number of trainable layers of that type that have weights. */
    private static Map<String, Integer> trainedLayers(String model) {
        Graph graph = ModelFixture.build(model);
        graph.freezeUpTo(Training.frozenUpTo(model));
        Map<String, Integer> count = new TreeMap<>();
        for (Layer l : graph.layers()) {
            if (l.isTrainable() && !l.weights().isEmpty()) count.merge(l.typeName(), 1, Integer::sum);
        }
        return count;
    }

    @Test
    void mobileNetV2FineTuningTrainsBlocks13To16ConvOneAndTheTop() {
        assertEquals(Map.of("Conv2D", 9, "DepthwiseConv2D", 4, "BatchNormalization", 13, "Dense", 1),
                trainedLayers("mobilenetv2"));
    }

    @Test
    void inceptionV3FineTuningTrainsMixed8ToMixed10AndTheTop() {
        assertEquals(Map.of("Conv2D", 24, "BatchNormalization", 24, "Dense", 1), trainedLayers("inceptionv3"));
    }

    @Test
    void theFrozenLayersRunAsAnInferencePlanEndingAtTheCut() {
        for (String model : new String[] {"mobilenetv2", "inceptionv3"}) {
            Graph graph = ModelFixture.build(model);
            graph.freezeUpTo(Training.frozenUpTo(model));
            graph.plan(1);
            assertEquals(Training.frozenUpTo(model), graph.frozenPrefix().output().name, model);
        }
    }

    @Test
    void aFineTuningStepCountsMoreThanInferenceAndLessThanAFullStep() {
        for (String model : new String[] {"mobilenetv2", "inceptionv3"}) {
            Training training = new Training();
            training.model = model;
            training.batch = 32;
            Inference inference = new Inference();
            inference.model = model;
            inference.batch = 32;
            double fineTune = training.flops("fineTune"), full = training.flops("fullStep"), forward = inference.flops("forward");
            assertTrue(forward < fineTune && fineTune < full && full == 3 * forward,
                    model + ": forward " + forward + ", fine-tune " + fineTune + ", full " + full);
        }
    }
}
