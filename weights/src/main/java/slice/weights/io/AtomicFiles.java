package slice.weights.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whole-file writes that never leave a half-written file under the final name — the project's one way to write an
 * output (models, checkpoints, reports, cached features, {@code .npy} files). The content goes to a hidden temporary
 * file in the same folder, is flushed to disk, and is then renamed over the target in one step. A crash, a
 * {@code kill -9} or an error leaves either the old file or the new one, never a mix, and no temporary file.
 */
public final class AtomicFiles {
    private AtomicFiles() { }

    /** The name of a write's temporary file: {@code .<target name><random digits>.tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+[0-9]+\\.tmp");

    /** The body of a write; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code file} with {@code body}, atomically (creating its folder if needed). */
    public static void write(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");   // as TEMPORARY
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
    }

    /** Writes {@code text} as UTF-8, atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Deletes the temporary files that writes into {@code dir} left when their process was killed: files directly in
     * it, named as this class names them, last modified before {@code before}. The caller must hold {@code dir} against
     * other writers (a lock) and pass its own start, so no live write's file can match. Returns the names deleted.
     */
    public static List<String> removeStaleTemporaries(Path dir, Instant before) throws IOException {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> TEMPORARY.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.getLastModifiedTime(p).toInstant().isBefore(before)) {
                    Files.deleteIfExists(p);
                    removed.add(p.getFileName().toString());
                }
            }
        }
        Collections.sort(removed);
        return removed;
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
