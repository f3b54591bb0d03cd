package slice.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import slice.weights.io.AtomicFiles;

/**
 * One writer at a time in a folder: {@code train} in its {@code --out}, {@code enroll} and {@code forget} in their
 * {@code --model}, {@code serve} in its {@code --model} for as long as it runs (it enrols and forgets over HTTP). The lock is the operating system's ({@link FileChannel#tryLock}) on the file {@value #FILE} in the
 * folder, held until {@link #close}; a second writer is refused at once with one line, it never waits. Once locked,
 * the temporary files of writes killed before this process started are deleted, with one line saying so
 * ({@link AtomicFiles#removeStaleTemporaries}).
 *
 * <p>The OS drops the lock when its process ends, however it ends ({@code kill -9} included), so a lock file left
 * behind never blocks a later run: the file is only where the lock lives. It is never deleted, since a process could
 * then lock the old file while another locks a new one. Within one JVM the folders locked are also kept in a set and
 * a second lock is refused from it: opening and closing a second channel to the file would release the OS lock of the
 * first (POSIX locks belong to the process).
 */
public final class FolderLock implements AutoCloseable {
    static final String FILE = ".slice.lock";
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path folder;
    private final FileChannel channel;

    private FolderLock(Path folder, FileChannel channel) {
        this.folder = folder;
        this.channel = channel;
    }

    /**
     * Locks {@code dir} (created if needed) or throws a {@link UserError}: another command is writing into it, or it
     * cannot be a folder ({@link Options#requireFolderPath}; {@code option} names the option that gave it).
     */
    public static FolderLock acquire(Path dir, String option) throws IOException {
        Options.requireFolderPath(dir, option);
        Files.createDirectories(dir);
        Path folder = dir.toRealPath();
        if (!HELD.add(folder)) throw busy(dir);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(folder.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw busy(dir);
            removeStaleTemporaries(folder);
            return new FolderLock(folder, channel);
        } catch (IOException | RuntimeException e) {
            HELD.remove(folder);
            if (channel != null) channel.close();
            if (e instanceof OverlappingFileLockException) throw busy(dir);   // another channel of this JVM has it
            throw e;
        }
    }

    /** Deletes what writes killed before this process started left in the folder, and says so in one line. */
    private static void removeStaleTemporaries(Path folder) throws IOException {
        List<String> removed = AtomicFiles.removeStaleTemporaries(folder);
        if (!removed.isEmpty()) {
            System.err.println("warning: removed " + removed.size() + (removed.size() == 1 ? " temporary file" : " temporary files")
                    + " an interrupted run left in " + folder + ": " + String.join(", ", removed));
        }
    }

    private static UserError busy(Path dir) {
        return UserError.about(dir, "another train, enroll, forget or serve is writing into this folder now (it holds "
                + FILE + "); wait for it to finish or choose another folder");
    }

    /** Releases the lock (closing the channel releases it). */
    @Override public void close() throws IOException {
        try {
            channel.close();
        } finally {
            HELD.remove(folder);
        }
    }
}
