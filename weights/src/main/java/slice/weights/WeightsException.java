package slice.weights;

/**
 * A weights file that cannot be used as asked: unreadable, of an unsupported layout, not matching the network, or not
 * obtainable. The message is one line that names the file and the problem (and, for a shape mismatch, the layer, the
 * tensor and both shapes), so a command-line tool can print it as is instead of a stack trace.
 */
public final class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
