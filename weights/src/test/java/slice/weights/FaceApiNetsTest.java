package slice.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;
import slice.models.face.FaceLandmarkNet;
import slice.models.face.FaceRecognitionNet;
import slice.models.face.TinyFaceDetector;

/** face-api.js's manifests into our networks: every tensor lands by name, and a manifest of another network is refused. */
class FaceApiNetsTest {
    private static Path manifest(String model) {
        return SharedData.require("models/face_api/" + model + "-weights_manifest.json");
    }

    @Test
    void eachNetworkTakesEveryTensorOfItsManifest() {
        TinyFaceDetector detector = FaceApiNets.detector(manifest("tiny_face_detector_model"), 320);
        TfjsWeights file = TfjsWeights.read(manifest("tiny_face_detector_model"));
        assertEquals(file.tensors().size(), detector.weights.size());
        detector.weights.forEach((name, param) ->
                assertEquals(file.tensors().get(name).data[7 % param.value.size()], param.value.data[7 % param.value.size()], name));
        assertEquals(10, detector.gridSize());
        FaceLandmarkNet tiny = FaceApiNets.landmarks(manifest("face_landmark_68_tiny_model"), true);
        assertEquals(TfjsWeights.read(manifest("face_landmark_68_tiny_model")).tensors().size(), tiny.weights.size());
        FaceLandmarkNet full = FaceApiNets.landmarks(manifest("face_landmark_68_model"), false);
        assertEquals(TfjsWeights.read(manifest("face_landmark_68_model")).tensors().size(), full.weights.size());
        FaceRecognitionNet descriptor = FaceApiNets.descriptor(manifest("face_recognition_model"));
        TfjsWeights recognition = TfjsWeights.read(manifest("face_recognition_model"));
        assertEquals(recognition.tensors().size(), descriptor.weights.size());
        descriptor.weights.forEach((name, param) -> assertEquals(recognition.tensors().get(name).data[param.value.size() - 1],
                param.value.data[param.value.size() - 1], name));
    }

    @Test
    void aManifestOfAnotherNetworkIsRefusedInOneLine() {
        WeightsException bigger = assertThrows(WeightsException.class,
                () -> FaceApiNets.landmarks(manifest("face_landmark_68_model"), true));
        assertTrue(bigger.getMessage().endsWith("tensor fc/weights has shape [256, 136], weight fc/kernel has shape [128, 136]"), bigger.getMessage());
        WeightsException smaller = assertThrows(WeightsException.class,
                () -> FaceApiNets.landmarks(manifest("face_landmark_68_tiny_model"), false));
        assertTrue(smaller.getMessage().contains("no tensor dense0/conv3/depthwise_filter"), smaller.getMessage());
        WeightsException detector = assertThrows(WeightsException.class,
                () -> FaceApiNets.detector(manifest("face_landmark_68_tiny_model"), 416));
        assertTrue(detector.getMessage().contains("no tensor conv0/filters"), detector.getMessage());
        WeightsException recognition = assertThrows(WeightsException.class,
                () -> FaceApiNets.descriptor(manifest("face_landmark_68_model")));
        assertTrue(recognition.getMessage().contains("no tensor conv32_down/conv/filters"), recognition.getMessage());
        assertTrue(!bigger.getMessage().contains("\n") && !smaller.getMessage().contains("\n"));
    }
}
