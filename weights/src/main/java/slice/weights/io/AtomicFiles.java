package slice.weights.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Whole-file writes that never leave a half-written file under the final name — the project's one way to write an
 * output (models, checkpoints, reports, cached features, {@code .npy} files). The content goes to a hidden temporary
 * file in the same folder, is flushed to disk, and is then renamed over the target in one step. A crash, a
 * {@code kill -9} or an error leaves either the old file or the new one, never a mix, and no temporary file.
 */
public final class AtomicFiles {
    private AtomicFiles() { }

    /** Draws the names of temporary files. */
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The body of a write; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} with {@code body}, atomically (creating its folder if needed). The file gets the permissions
     * of any new file, as the umask makes them ({@code rw-r--r--} under umask 022), not a private temporary file's.
     * Every failure is a {@link FileSystemException} naming a file: an error without one (a full disk's
     * {@code No space left on device}) names {@code file}.
     */
    public static void write(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            Path tmp = newTemporary(target);
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                     OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                    body.writeTo(out);
                    out.flush();
                    ch.force(true);
                }
                moveIntoPlace(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            FileSystemException named = new FileSystemException(file.toString(), null, reason(e));
            named.initCause(e);
            throw named;
        }
    }

    /**
     * A new empty hidden file beside {@code target}, {@code .NAME<random>.tmp}, created with the permissions any new
     * file gets ({@link Files#createTempFile} would make it private, {@code rw-------}).
     */
    private static Path newTemporary(Path target) throws IOException {
        while (true) {
            Path tmp = target.resolveSibling("." + target.getFileName() + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException taken) {
                // another write's temporary file: draw another name
            }
        }
    }

    /**
     * Why an I/O operation failed, in the operating system's words where there are some: the reason of a
     * {@link FileSystemException} (without its file name), or the message of the innermost exception that has one
     * (a PNG writer's {@code I/O error writing PNG file!} wraps the {@code No space left on device} that caused it).
     */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null) reason = t.getMessage();
        }
        return reason;
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Renames {@code from} to {@code to}, atomically where the file system can. */
    public static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
