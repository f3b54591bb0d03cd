package slice.weights;

/**
 * A weights file that cannot be used as asked: unreadable, of an unsupported layout, not matching the network, or not
 * obtainable. The message is one line that names the file and the problem (and, for a shape mismatch, the layer, the
 * tensor and both shapes), so a command-line tool can print it as is instead of a stack trace. Text a message quotes
 * from a damaged file stays on that line: its control characters (line breaks, escape codes) are shown as
 * {@code <U+000A>}.
 */
public final class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(oneLine(message));
    }

    public WeightsException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code text} with each control character written as {@code <U+XXXX>}: one line, safe to print on a terminal. */
    public static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) out.append(String.format("<U+%04X>", c));
            else out.appendCodePoint(c);
        });
        return out.toString();
    }
}
