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
 * nothing but white space after it. {@link #problem} words any JSON error for a one-line message.
 */
public final class StrictJson {
    private static final Pattern POSITION = Pattern.compile("line \\d+ column \\d+");
    /** A wrapped exception's class name at the start of a message ({@code java.lang.IllegalStateException: }). */
    private static final Pattern CLASS_NAME = Pattern.compile("^(?:[a-z]\\w*\\.)+[A-Z]\\w*: ");
    /** The most characters of the parser's own words that {@link #problem} keeps. */
    static final int MAX_PROBLEM = 80;

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
            throw new WeightsException(notJson + " (" + problem(e) + ")", e);
        }
    }

    /**
     * A JSON error in one short line: where the parser stopped and why, {@code at line 1 column 256: Nesting limit 255
     * reached}, without what makes Gson's messages long — the JSON path (hundreds of characters in a deeply nested
     * file), a wrapped exception's class name, the advice on a second line, the suggestion to parse leniently.
     */
    public static String problem(Exception e) {
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        first = CLASS_NAME.matcher(first).replaceFirst("");
        Matcher m = POSITION.matcher(first);
        if (!m.find()) return shortened(first);
        String why = first.substring(0, m.start()).replaceFirst("\\s*at\\s*$", "").strip();
        if (why.startsWith("Use JsonReader.setStrictness")) why = "";
        return "at " + m.group() + (why.isEmpty() ? "" : ": " + shortened(why));
    }

    private static String shortened(String text) {
        return text.length() <= MAX_PROBLEM ? text : text.substring(0, MAX_PROBLEM - 1) + "…";
    }
}
