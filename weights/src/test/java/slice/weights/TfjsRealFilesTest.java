package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import slice.engine.SharedData;
import slice.engine.Tensor;

/**
 * The four face-api.js models of {@code shared/data/models/face_api}, each decoded whole and checked against an
 * independent reading of the same bytes done here: the manifest walked with plain Gson, offsets summed by hand, values
 * taken from a {@link ByteBuffer} at those offsets.
 */
class TfjsRealFilesTest {
    static final String DIR = "models/face_api/";

    /** One manifest entry as this test reads it: where its bytes start and how to turn them into values. */
    record Raw(String name, int[] shape, long offset, int elements, String stored, double scale, double min) {
        int bytesPerValue() { return stored.equals("uint8") ? 1 : 4; }

        float valueAt(ByteBuffer bin, int i) {
            return stored.equals("uint8")
                    ? (float) (min + scale * Byte.toUnsignedInt(bin.get((int) offset + i)))
                    : bin.getFloat((int) offset + 4 * i);
        }
    }

    static List<Raw> walk(Path manifest) throws IOException {
        JsonArray groups = JsonParser.parseString(Files.readString(manifest)).getAsJsonArray();
        assertEquals(1, groups.size(), "face-api models are one group");
        List<Raw> out = new ArrayList<>();
        long offset = 0;
        for (JsonElement e : groups.get(0).getAsJsonObject().getAsJsonArray("weights")) {
            JsonObject w = e.getAsJsonObject();
            JsonArray s = w.getAsJsonArray("shape");
            int[] shape = new int[s.size()];
            int elements = 1;
            for (int i = 0; i < shape.length; i++) elements *= shape[i] = s.get(i).getAsInt();
            JsonObject q = w.getAsJsonObject("quantization");
            Raw raw = q == null ? new Raw(w.get("name").getAsString(), shape, offset, elements, "float32", 1, 0)
                    : new Raw(w.get("name").getAsString(), shape, offset, elements, q.get("dtype").getAsString(),
                            q.get("scale").getAsDouble(), q.get("min").getAsDouble());
            out.add(raw);
            offset += (long) elements * raw.bytesPerValue();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny_face_detector_model", "face_landmark_68_tiny_model", "face_landmark_68_model", "face_recognition_model"})
    void everyTensorDecodesAsTheRawBytesSay(String model) throws IOException {
        Path manifest = SharedData.require(DIR + model + "-weights_manifest.json");
        Path binFile = SharedData.require(DIR + model + ".bin");
        List<Raw> raws = walk(manifest);
        Raw last = raws.get(raws.size() - 1);
        assertEquals(Files.size(binFile), last.offset() + (long) last.elements() * last.bytesPerValue(),
                "the tensors cover the .bin exactly");

        TfjsWeights w = TfjsWeights.read(manifest);
        assertEquals(raws.stream().map(Raw::name).toList(), List.copyOf(w.tensors().keySet()));
        ByteBuffer bin = ByteBuffer.wrap(Files.readAllBytes(binFile)).order(ByteOrder.LITTLE_ENDIAN);
        for (Raw raw : raws) {
            Tensor t = w.tensor(raw.name(), raw.shape());
            assertEquals(raw.elements(), t.size());
            for (int i : new int[] {0, raw.elements() / 3, raw.elements() / 2 + 1, raw.elements() - 1}) {
                assertEquals(raw.valueAt(bin, i), t.data[i], raw.name() + "[" + i + "]");
            }
        }
    }

    @Test
    void recognitionNetMixesFloat32AndUint8Tensors() throws IOException {
        Path manifest = SharedData.require(DIR + "face_recognition_model-weights_manifest.json");
        List<Raw> floats = walk(manifest).stream().filter(r -> r.stored().equals("float32")).toList();
        assertEquals(List.of("conv64_down/conv1/conv/filters", "conv64_down/conv2/conv/filters", "conv64_1/conv1/conv/filters",
                "conv64_1/conv2/conv/filters", "conv64_2/conv1/conv/filters", "conv64_2/conv2/conv/filters", "conv64_3/conv1/conv/filters",
                "conv64_3/conv2/conv/filters"), floats.stream().map(Raw::name).toList());
        TfjsWeights w = TfjsWeights.read(manifest);
        byte[] bytes = Files.readAllBytes(SharedData.require(DIR + "face_recognition_model.bin"));
        ByteBuffer bin = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Raw raw : floats) {
            float[] values = w.tensor(raw.name(), raw.shape()).data;
            for (int i = 0; i < raw.elements(); i++) assertEquals(raw.valueAt(bin, i), values[i], raw.name() + "[" + i + "]");
        }
        assertArrayEquals(new int[] {256, 128}, w.tensors().get("fc").shape());
    }

    @Test
    void tinyLandmarkNetHasOneAllZeroSeparableConv() throws IOException {
        // stored with scale 1, min 0 and every byte 0 in the released file: that conv outputs just its bias
        TfjsWeights w = TfjsWeights.read(SharedData.require(DIR + "face_landmark_68_tiny_model-weights_manifest.json"));
        for (String name : List.of("dense0/conv2/depthwise_filter", "dense0/conv2/pointwise_filter")) {
            for (float v : w.tensors().get(name).data) assertEquals(0f, v, name);
        }
        float[] bias = w.tensors().get("dense0/conv2/bias").data;
        assertTrue(bias[0] != 0 || bias[1] != 0, "the bias of that conv is not zero");
    }

    /** {@link WeightValues#MAX_ABS}'s measurement on face-api's networks: the largest |w| of the four is 23.2. */
    @Test
    void theLargestWeightOfFaceApisNetworksIsFarUnderTheBound() {
        double largest = 0;
        String where = "";
        for (String model : List.of("tiny_face_detector_model", "face_landmark_68_model", "face_landmark_68_tiny_model",
                "face_recognition_model")) {
            TfjsWeights w = TfjsWeights.read(SharedData.require(DIR + model + "-weights_manifest.json"));
            for (var e : w.tensors().entrySet()) {
                for (int i = 0; i < e.getValue().size(); i++) {
                    if (Math.abs(e.getValue().data[i]) > largest) {
                        largest = Math.abs(e.getValue().data[i]);
                        where = model + " " + e.getKey();
                    }
                }
            }
        }
        assertEquals(23.165, largest, 1e-3, where);
        assertEquals("face_recognition_model conv32_down/scale/weights", where);
        assertTrue(largest * 4000 < WeightValues.MAX_ABS);
    }
}
