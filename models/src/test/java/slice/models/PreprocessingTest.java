package slice.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PreprocessingTest {
    @Test
    void theWrittenFormIsWhatModelFilesHoldAndReadsBack() {
        Preprocessing keras = Preprocessing.SCALE_TO_PLUS_MINUS_ONE;
        assertEquals("RGB, x / 127.5 - 1.0", keras.describe());
        assertEquals(keras, Preprocessing.parse("RGB, x / 127.5 - 1.0"));
        Preprocessing other = new Preprocessing("BGR", 255f, 0.25f);
        assertEquals("BGR, x / 255.0 + 0.25", other.describe());
        assertEquals(other, Preprocessing.parse(other.describe()));
    }

    @Test
    void aMeanPerChannelIsWrittenReadBackAndSubtractedFromItsChannel() {
        Preprocessing faceApi = Architecture.FACE_RESNET.preprocessing();
        assertEquals("RGB, (x - [122.782, 117.001, 104.298]) / 255.0", faceApi.describe());
        assertEquals(faceApi, Preprocessing.parse(faceApi.describe()));
        float[] pixels = {255, 0, 104.298f, 122.782f, 117.001f, 0};
        faceApi.apply(pixels, 0, pixels.length);
        float[] expected = {(255 - 122.782f) / 255, (0 - 117.001f) / 255, 0, 0, 0, (0 - 104.298f) / 255};
        for (int i = 0; i < pixels.length; i++) assertEquals(expected[i], pixels[i], 1e-7f, "value " + i);
        assertEquals(Preprocessing.SCALE_TO_PLUS_MINUS_ONE, Architecture.MOBILENET_V2.preprocessing());
    }

    @Test
    void otherTextIsRefusedInOneLine() {
        for (String text : new String[] {"rgb/127.5-1", "RGB, x / many - 1.0", "RGB, x / 127.5 * 1.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.parse(text));
            assertEquals("preprocessing '" + text + "' is not of the form 'RGB, x / 127.5 - 1.0'", e.getMessage());
        }
    }
}
