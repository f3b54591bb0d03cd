package slice.train.data;

/**
 * A problem with the user's data folder that stops the run: fewer than two usable classes, a class with fewer than
 * two usable images, a folder that does not exist. The message is one complete line naming the folder or class and
 * the problem; the CLI prints it as is (no stack trace).
 */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }
}
