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
    void otherTextIsRefusedInOneLine() {
        for (String text : new String[] {"rgb/127.5-1", "RGB, x / many - 1.0", "RGB, x / 127.5 * 1.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.parse(text));
            assertEquals("preprocessing '" + text + "' is not of the form 'RGB, x / 127.5 - 1.0'", e.getMessage());
        }
    }
}
