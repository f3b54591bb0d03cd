package slice.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link StrictJson#problem}: Gson's errors, however long, in one short line. */
class StrictJsonTest {
    private static String problemOf(String json) {
        return StrictJson.problem(assertThrows(JsonParseException.class, () -> JsonParser.parseString(json)));
    }

    @Test
    void deepNestingIsWhereAndWhyWithoutItsJsonPath() {
        String nested = "[".repeat(10_000) + "]".repeat(10_000);
        JsonParseException e = assertThrows(JsonParseException.class, () -> JsonParser.parseString(nested));
        assertTrue(e.getMessage().length() > 500, "Gson's own message is long: " + e.getMessage().length());
        assertEquals("at line 1 column 257: Nesting limit 255 reached", StrictJson.problem(e));
    }

    @Test
    void malformedJsonLosesTheAdviceAndTheSecondLine() {
        assertEquals("at line 1 column 7: Expected value", problemOf("{\"a\": }"));
        assertEquals("at line 2 column 1: End of input", problemOf("{\"a\": 1\n"));
        WeightsException strict = assertThrows(WeightsException.class,
                () -> StrictJson.parse(ByteBuffer.wrap("['a']".getBytes(StandardCharsets.UTF_8)), "not UTF-8", "not valid JSON"));
        assertEquals("not valid JSON (at line 1 column 3)", strict.getMessage(), "not Gson's advice to parse leniently");
    }

    @Test
    void aWrongTypeLosesTheWrappedClassName() {
        Exception e = assertThrows(JsonParseException.class, () -> new Gson().fromJson("{\"a\": [1]}", Named.class));
        assertTrue(e.getMessage().startsWith("java.lang.IllegalStateException: "), e.getMessage());
        assertEquals("at line 1 column 8: Expected a string but was BEGIN_ARRAY", StrictJson.problem(e));
    }

    record Named(String a) { }

    @Test
    void aLongProblemIsCut() {
        String problem = StrictJson.problem(new IllegalStateException("x".repeat(500) + " at line 1 column 2"));
        assertEquals("at line 1 column 2: " + "x".repeat(StrictJson.MAX_PROBLEM - 1) + "…", problem);
    }

    @Test
    void strictParsingSaysWhereAndWhyInOneLine() {
        String nested = "[".repeat(1000) + "]".repeat(1000);
        WeightsException e = assertThrows(WeightsException.class,
                () -> StrictJson.parse(ByteBuffer.wrap(nested.getBytes(StandardCharsets.UTF_8)), "not UTF-8", "header is not valid JSON"));
        assertEquals("header is not valid JSON (at line 1 column 257: Nesting limit 255 reached)", e.getMessage());
    }
}
