package slice.train.faces;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import slice.engine.SharedData;
import slice.models.face.FaceLandmarkNet;
import slice.models.face.FaceRecognitionNet;
import slice.models.face.TinyFaceDetector;
import slice.train.data.ImageDecoder;
import slice.train.data.RgbImage;
import slice.weights.FaceApiNets;

/**
 * What the face tests compare against, from the shared data (skips when absent): face-api.js's results in
 * {@code reference/face_api/reference.json}, the photos they were computed on, and face-api's networks with their
 * real weights from {@code models/face_api}.
 */
final class FaceApiReference {
    private static final String MODELS = "models/face_api/";

    private FaceApiReference() { }

    /** The whole reference: {@code input_size}, {@code score_threshold} and the {@code images} with their faces. */
    static JsonObject json() throws IOException {
        return JsonParser.parseString(Files.readString(SharedData.require("reference/face_api/reference.json"))).getAsJsonObject();
    }

    /** The photo of a reference entry, decoded by our decoder: a demo photo, or an LFW scene {@code Person_Name_0003}. */
    static RgbImage photo(String stem) throws IOException {
        String file = stem.startsWith("sample") ? "images/face_api_samples/" + stem + ".jpg"
                : "faces/lfw_scenes_min20/" + stem.substring(0, stem.lastIndexOf('_')) + "/" + stem + ".jpg";
        return ImageDecoder.decode(Files.readAllBytes(SharedData.require(file)));
    }

    /** The Tiny Face Detector at input {@code inputSize}. */
    static TinyFaceDetector detector(int inputSize) {
        return FaceApiNets.detector(SharedData.require(MODELS + "tiny_face_detector_model-weights_manifest.json"), inputSize);
    }

    /** The 68-point landmark net, full or tiny. */
    static FaceLandmarkNet landmarks(boolean tiny) {
        String model = tiny ? "face_landmark_68_tiny_model" : "face_landmark_68_model";
        return FaceApiNets.landmarks(SharedData.require(MODELS + model + "-weights_manifest.json"), tiny);
    }

    /** The face recognition net (dlib's ResNet) that computes the 128-number descriptors. */
    static FaceRecognitionNet descriptor() {
        return FaceApiNets.descriptor(SharedData.require(MODELS + "face_recognition_model-weights_manifest.json"));
    }
}
