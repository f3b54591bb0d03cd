package slice.train;

import java.nio.file.Path;

/**
 * A problem with the user's input (a file, a folder, an option value), not a bug: the command line prints its message
 * as one line on stderr and exits with code 2, with no stack trace. Messages name the file and say what is wrong.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    /** {@code "<file>: <problem>"}. */
    public static UserError about(Path file, String problem) {
        return new UserError(file + ": " + problem);
    }
}
