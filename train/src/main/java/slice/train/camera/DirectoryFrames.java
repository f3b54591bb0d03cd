package slice.train.camera;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import slice.train.UserError;

/**
 * Frames from a folder that a camera writes into, such as {@code rpicam-still --timelapse 500 -o DIR/frame%04d.jpg}:
 * each new or rewritten file is read once it is complete, and yielded as a {@link Frame} named by its path.
 *
 * <ul>
 *   <li>Which files: regular files directly in the folder, whatever their format (the processor decodes them). Hidden
 *       files ({@code .name}), temporary ones ({@code ~}, {@code .tmp}, {@code .temp}, {@code .part}, {@code .partial},
 *       {@code .crdownload}, {@code .swp} endings), symbolic links (such as {@code rpicam-still --latest}) and folders
 *       are ignored. A program that writes a temporary file and renames it when done is therefore read once, under
 *       its final name.</li>
 *   <li>Complete: a file is taken when its size (non-zero) and modification time have stayed the same for
 *       {@code settle}: a writer that pauses longer than that between two writes would be read too early. A file
 *       whose size and modification time are those it had when last yielded is not yielded again.</li>
 *   <li>When: changes are learnt from a {@link WatchService} (inotify on Linux); files already there when the source is
 *       made are taken only with {@code includeExisting} (a camera's old frames are usually not wanted). If the watch
 *       service overflows, the folder is scanned again.</li>
 *   <li>Order: among files complete at the same check, by name ({@code frame0001.jpg} before {@code frame0002.jpg}).</li>
 *   <li>Memory: one file is read at a time; a file larger than {@code maxFrameBytes} is not read but yielded as
 *       {@link FrameSource.Lost}, as is one that cannot be read.</li>
 * </ul>
 * A frame's arrival time is when its file was found complete, so latency counts from then, not from the camera's
 * exposure. Not thread-safe, except {@link #close()}, which ends a waiting {@link #next()} with {@code null}.
 */
public final class DirectoryFrames implements FrameSource {
    /** The default {@code settle}: enough for a camera writing a local file. */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(200);
    private static final List<String> TEMPORARY_ENDINGS = List.of("~", ".tmp", ".temp", ".part", ".partial", ".crdownload", ".swp");
    /** How many yielded files are remembered, so a repeated notification does not yield one twice. */
    private static final int REMEMBERED = 4096;

    /** A file's size and modification time, and since when it has had them. */
    private record Look(long size, FileTime modified, long sinceNanos) {
        boolean same(BasicFileAttributes a) {
            return size == a.size() && a.lastModifiedTime().equals(modified);
        }
    }

    private static final Look UNSEEN = new Look(-1, FileTime.fromMillis(0), 0);

    private final Path dir;
    private final long settleNanos;
    private final long pollMillis;
    private final int maxFrameBytes;
    private final WatchService watcher;
    /** Files changed and not yet yielded, by name, with how they last looked. */
    private final TreeMap<Path, Look> pending = new TreeMap<>();
    /** Files found complete and not yet read, in name order. */
    private final ArrayDeque<Path> complete = new ArrayDeque<>();
    private final Map<Path, Look> yielded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Path, Look> eldest) {
            return size() > REMEMBERED;
        }
    };
    private volatile boolean closed;

    /**
     * Watches {@code dir}; with {@code includeExisting} the files already there are frames too.
     *
     * @throws UserError if {@code dir} is not a folder or cannot be watched
     */
    public DirectoryFrames(Path dir, boolean includeExisting, Duration settle, int maxFrameBytes) {
        if (!Files.isDirectory(dir)) throw UserError.about(dir, "not a folder");
        this.dir = dir;
        this.settleNanos = settle.toNanos();
        this.pollMillis = Math.max(5, settle.toMillis() / 4);
        this.maxFrameBytes = maxFrameBytes;
        try {
            watcher = dir.getFileSystem().newWatchService();
            dir.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            if (includeExisting) scan(); // after registering, so that no file falls between the two
        } catch (IOException e) {
            throw UserError.about(dir, "cannot watch this folder (" + e.getMessage() + ")");
        }
    }

    @Override public Item next() throws IOException, InterruptedException {
        try {
            while (!closed) {
                Path file = complete.poll();
                if (file != null) return read(file);
                findComplete(System.nanoTime());
                if (!complete.isEmpty()) continue;
                WatchKey key = pending.isEmpty() ? watcher.take() : watcher.poll(pollMillis, TimeUnit.MILLISECONDS);
                if (key != null) notice(key);
            }
        } catch (ClosedWatchServiceException e) {
            // close() was called while waiting.
        }
        return null;
    }

    @Override public void close() throws IOException {
        closed = true;
        watcher.close();
    }

    private void notice(WatchKey key) throws IOException {
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                scan();
            } else if (event.context() instanceof Path name && wanted(name)) {
                if (event.kind() == ENTRY_DELETE) pending.remove(name);
                else pending.put(name, UNSEEN);
            }
        }
        if (!key.reset()) throw new IOException(dir + ": the folder was removed or can no longer be read");
    }

    private void scan() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Path name = file.getFileName();
                if (wanted(name)) pending.putIfAbsent(name, UNSEEN);
            }
        }
    }

    /** Moves the pending files that have not changed for the settle time to {@link #complete}, in name order. */
    private void findComplete(long now) {
        for (Iterator<Map.Entry<Path, Look>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, Look> entry = it.next();
            Path file = dir.resolve(entry.getKey());
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                it.remove();
                continue;
            } catch (IOException e) {
                it.remove();
                complete.add(file); // reading it will fail too, and say why
                continue;
            }
            Look look = entry.getValue();
            if (!attributes.isRegularFile()) {
                it.remove();
            } else if (!look.same(attributes)) {
                entry.setValue(new Look(attributes.size(), attributes.lastModifiedTime(), now));
            } else if (attributes.size() > 0 && now - look.sinceNanos() >= settleNanos) {
                it.remove();
                Look before = yielded.put(entry.getKey(), look);
                if (before == null || !before.same(attributes)) complete.add(file);
            }
        }
    }

    private Item read(Path file) {
        long arrival = System.nanoTime();
        try {
            if (Files.size(file) > maxFrameBytes) return new Lost(file.toString(), MjpegFrames.tooLarge(maxFrameBytes));
            return new Frame(file.toString(), Files.readAllBytes(file), arrival);
        } catch (NoSuchFileException e) {
            return new Lost(file.toString(), "deleted before it could be read");
        } catch (IOException e) {
            return new Lost(file.toString(), "cannot read it (" + e.getMessage() + ")");
        }
    }

    private static boolean wanted(Path name) {
        String s = name.toString().toLowerCase(Locale.ROOT);
        return !s.startsWith(".") && TEMPORARY_ENDINGS.stream().noneMatch(s::endsWith);
    }
}
