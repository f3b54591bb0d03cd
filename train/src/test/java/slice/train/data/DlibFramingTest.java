package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.SharedData;
import slice.engine.Tensor;
import slice.models.Architecture;
import slice.models.ModelSpec;
import slice.models.face.FaceAligner;
import slice.models.face.FaceDescriber;
import slice.models.face.FaceFinder;
import slice.models.face.FaceRecognitionNet;
import slice.weights.FaceApiNets;

/**
 * face-resnet's framing of a detected face ({@link FaceAligner#dlibBox}) through the training pipeline (FaceIndex,
 * Preprocessor) gives the network the input face-api's describer builds, up to the crop's rounding to 8 bits and its
 * last row and column ({@link FaceAligner#dlibBox}): the backbone's {@code embedding} then matches
 * {@link FaceDescriber#describe} on the same photo to a few thousandths.
 */
class DlibFramingTest {
    @Test
    void theBackbonesDescriptorOfTheFramedFaceIsFaceApis() throws Exception {
        Path models = SharedData.require("models/face_api");
        FaceFinder finder = new FaceFinder(FaceApiNets.detector(models.resolve("tiny_face_detector_model-weights_manifest.json"), 416),
                FaceApiNets.landmarks(models.resolve("face_landmark_68_model-weights_manifest.json"), false));
        Path descriptorWeights = models.resolve("face_recognition_model-weights_manifest.json");
        FaceDescriber describer = new FaceDescriber(FaceApiNets.descriptor(descriptorWeights));
        ModelSpec spec = ModelSpec.of("face-resnet", 1f, 150, false, 0);
        Graph backbone = spec.build();
        FaceApiNets.loadDescriptor(descriptorWeights, backbone);
        backbone.setTrainable(false);
        FaceIndex index = new FaceIndex(finder, FaceAligner.dlibBox(150), 0.5, "test", null);
        Preprocessor pre = new Preprocessor(150, Architecture.FACE_RESNET.preprocessing());

        double worstInput = 0, worstEdge = 0, worstDescriptor = 0;
        for (String name : List.of("Hans_Blix/Hans_Blix_0001.jpg", "Vladimir_Putin/Vladimir_Putin_0002.jpg",
                "Serena_Williams/Serena_Williams_0003.jpg")) {
            byte[] bytes = Files.readAllBytes(SharedData.require("faces/lfw_deepfunneled_min20/" + name));
            ImageDecoder.Scaled photo = pre.decodeScaled(bytes);
            assertEquals(1, photo.factor(), "LFW photos are decoded whole");
            RgbImage image = photo.image();
            FaceFinder.Face largest = finder.search(image.pixels(), image.width(), image.height(), 0.5).stream()
                    .max(Comparator.comparingDouble(f -> f.detection().box().area())).orElseThrow();
            float[] expectedInput = FaceDescriber.input(image.pixels(), image.width(), image.height(), largest.landmarks());
            float[] expected = describer.describe(image.pixels(), image.width(), image.height(), List.of(largest.landmarks()))[0];

            FaceIndex.Face face = index.locate(bytes);
            float[] input = new float[pre.imageLength()];
            pre.preprocess(index.crop(image, photo.factor(), face.photoToCrop()), input, 0);
            float[] pixels = input.clone();
            for (int i = 0; i < pixels.length; i++) pixels[i] = pixels[i] * 255 + FaceRecognitionNet.MEAN_RGB[i % 3];
            for (int i = 0; i < pixels.length; i++) {
                int y = i / (150 * 3), x = i / 3 % 150;
                double d = Math.abs(pixels[i] - expectedInput[i]);
                if (y < 149 && x < 149) worstInput = Math.max(worstInput, d);
                else worstEdge = Math.max(worstEdge, d);
            }
            float[] actual = backbone.forward(Tensor.wrap(input, 1, 150, 150, 3), false).data;
            for (int i = 0; i < expected.length; i++) worstDescriptor = Math.max(worstDescriptor, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf("dlib framing: worst input |Δ| %.3g (0..255; last row and column %.3g), worst descriptor |Δ| %.3g%n",
                worstInput, worstEdge, worstDescriptor);
        assertTrue(worstInput <= 0.5 + 1e-3, "inside, the crop differs from face-api's input only by rounding: " + worstInput);
        assertTrue(worstDescriptor <= 3e-3, "descriptor " + worstDescriptor);   // measured 1.7e-3
    }
}
