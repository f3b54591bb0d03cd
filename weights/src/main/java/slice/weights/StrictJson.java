package slice.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON text inside weight files (a safetensors header, a TF.js manifest), read as strictly as their formats define
 * it: UTF-8 without a malformed byte, then exactly one JSON value by RFC 8259 (Gson's {@link Strictness#STRICT}) with
 * nothing but white space after it.
 */
final class StrictJson {
    private static final Pattern POSITION = Pattern.compile("line \\d+ column \\d+");

    private StrictJson() { }

    /**
     * The JSON value that {@code bytes} hold. A malformed byte throws a {@link WeightsException} with the message
     * {@code notUtf8}; invalid JSON one with {@code notJson} followed by where the parser stopped, in parentheses.
     */
    static JsonElement parse(ByteBuffer bytes, String notUtf8, String notJson) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new WeightsException(notUtf8, e);
        }
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new WeightsException(notJson + " (text after the JSON value)");
            return root;
        } catch (JsonParseException | IOException e) {
            throw new WeightsException(notJson + " (" + where(e) + ")", e);
        }
    }

    /** Where Gson stopped ("at line 3 column 7"), without its multi-line advice, or else its message's first line. */
    private static String where(Exception e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = POSITION.matcher(message);
        return m.find() ? "at " + m.group() : message.lines().findFirst().orElse(message);
    }
}
