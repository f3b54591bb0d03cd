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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
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
        write(file, body, true);
    }

    /**
     * {@link #write} without forcing the content to disk before the rename, for files whose reader checks a checksum
     * and recomputes an entry that fails it (the feature cache's): after a crash the file may be whole, missing, or
     * fail its check, but never be read as right when it is not. It saves a disk flush per file, which a run writing
     * thousands of small entries would otherwise wait for one after the other.
     */
    public static void writeChecksummed(Path file, Body body) throws IOException {
        write(file, body, false);
    }

    private static void write(Path file, Body body, boolean force) throws IOException {
        Path target = file.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            if (!CLEANED.contains(target.getParent())) removeStaleTemporaries(target.getParent());
            Path tmp = newTemporary(target);
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                     OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                    tryLock(ch);   // live: other processes' cleaners leave it alone
                    body.writeTo(out);
                    out.flush();
                    if (force) ch.force(true);
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
     * A new empty hidden file beside {@code target}, {@code .NAME.slice<random digits>.tmp} ({@link #TEMPORARY}),
     * created with the permissions any new file gets ({@link Files#createTempFile} would make it private,
     * {@code rw-------}).
     */
    private static Path newTemporary(Path target) throws IOException {
        while (true) {
            Path tmp = target.resolveSibling("." + target.getFileName() + ".slice" + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
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
