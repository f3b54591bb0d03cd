package slice.weights.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Whole-file writes that never leave a half-written file under the final name — the project's one way to write an
 * output (models, checkpoints, reports, cached features, {@code .npy} files). The content goes to a hidden temporary
 * file in the same folder, is flushed to disk, and is then renamed over the target in one step. A crash, a
 * {@code kill -9} or an error leaves either the old file or the new one, never a mix.
 *
 * <p>Only a killed process leaves its temporary file behind. A write holds an OS lock on its temporary file, and the
 * first write of a process into a folder deletes the temporaries there that no process holds and that are older than
 * this process ({@link #removeStaleTemporaries}), so they do not pile up in an output folder or a shared cache.
 */
public final class AtomicFiles {
    private AtomicFiles() { }

    /** The name of a write's temporary file, {@code .<target name>.slice<random digits>.tmp}: nobody else's. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.slice[0-9]+\\.tmp");
    /** Before this, no temporary file can be this process's own. */
    private static final Instant PROCESS_START = ProcessHandle.current().info().startInstant().orElseGet(Instant::now);
    /** The folders whose stale temporaries this process has removed. */
    private static final Set<Path> CLEANED = ConcurrentHashMap.newKeySet();

    /** The body of a write; may throw {@link IOException}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code file} with {@code body}, atomically (creating its folder if needed). */
    public static void write(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        if (!CLEANED.contains(target.getParent())) removeStaleTemporaries(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".slice", ".tmp");   // TEMPORARY
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                tryLock(ch);   // live: other processes' cleaners leave it alone
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
     * it, named as this class names them, last modified before this process started (so none is this process's own,
     * whose lock a second channel would release) and locked by no process. Once per folder and process; returns the
     * names deleted.
     */
    public static List<String> removeStaleTemporaries(Path dir) throws IOException {
        return CLEANED.add(dir.toAbsolutePath()) ? removeStaleTemporaries(dir, PROCESS_START) : List.of();
    }

    /** {@link #removeStaleTemporaries(Path)} with temporaries last modified before {@code before}. */
    static List<String> removeStaleTemporaries(Path dir, Instant before) throws IOException {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> TEMPORARY.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.getLastModifiedTime(p).toInstant().isBefore(before)
                        && deleteUnlessLocked(p)) {
                    removed.add(p.getFileName().toString());
                }
            }
        }
        Collections.sort(removed);
        return removed;
    }

    /** Deletes {@code tmp} if no process holds its lock; false when one does, or the file system cannot say. */
    private static boolean deleteUnlessLocked(Path tmp) {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            if (ch.tryLock() == null) return false;
            Files.delete(tmp);
            return true;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    /** Locks a temporary file for its writer, where the file system has locks (a write needs none to succeed). */
    private static void tryLock(FileChannel ch) {
        try {
            ch.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            // no lock: a cleaner still leaves the file alone until it is older than the cleaner's process
        }
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
