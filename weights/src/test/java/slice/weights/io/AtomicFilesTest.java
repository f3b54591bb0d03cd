package slice.weights.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles#removeStaleTemporaries}: only this class's temporary names, only those older than the caller and
 * locked by no process (a live write in another process holds its lock).
 */
class AtomicFilesTest {
    @TempDir Path dir;

    private Path file(String name, Instant modified) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "x");
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void removesOnlyItsOwnOldUnlockedTemporaries() throws Exception {
        Instant start = Instant.now();
        Instant before = start.minusSeconds(60), after = start.plusSeconds(60);
        file(".checkpoint.safetensors.slice4821093377610291.tmp", before);
        file(".model.safetensors.next.slice99.tmp", before);
        file(".split.tsv.slice123.tmp", after);      // a live write's, newer than the caller
        Path locked = file(".report.md.slice55.tmp", before);
        file("notes.slice1.tmp", before);            // not hidden: the user's
        file(".notes12.tmp", before);                // another program's temporary file
        file(".model.json.next", before);            // SavedModel's staged file: its own business
        Files.createDirectories(dir.resolve(".folder.slice77.tmp"));

        Process holder = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), locked.toString()).start();
        try {
            assertEquals("locked", new String(holder.getInputStream().readNBytes(6), StandardCharsets.UTF_8));
            assertEquals(List.of(".checkpoint.safetensors.slice4821093377610291.tmp", ".model.safetensors.next.slice99.tmp"),
                    AtomicFiles.removeStaleTemporaries(dir, start));
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(".folder.slice77.tmp", ".model.json.next", ".notes12.tmp", ".report.md.slice55.tmp", ".split.tsv.slice123.tmp",
                    "notes.slice1.tmp"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(List.of(".report.md.slice55.tmp"), AtomicFiles.removeStaleTemporaries(dir, start), "its writer is dead now");
    }

    @Test
    void theFirstWriteIntoAFolderRemovesWhatKilledWritesLeftThere() throws IOException {
        Path cache = Files.createDirectories(dir.resolve("ab"));
        Path stale = Files.writeString(cache.resolve(".abcdef.f32.slice8812.tmp"), "half an entry");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.EPOCH));
        AtomicFiles.writeString(cache.resolve("abc123.f32"), "an entry");
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of("abc123.f32"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** In a child JVM: locks the file named by {@code args[0]} as a write does, prints "locked" and waits. */
    static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
                ch.lock();
                System.out.print("locked");
                System.out.flush();
                Thread.sleep(60_000);
            }
        }
    }

    @Test
    void aWriteNamesItsTemporaryAsTheCleanerExpects() throws IOException {
        List<String> during = new java.util.ArrayList<>();
        AtomicFiles.write(dir.resolve("model.safetensors"), out -> {
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(p -> during.add(p.getFileName().toString()));
            }
            out.write(1);
        });
        assertEquals(1, during.size(), during.toString());
        file(during.get(0), Instant.EPOCH);           // as a killed write would have left it
        assertEquals(during, AtomicFiles.removeStaleTemporaries(dir, Instant.now()));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("model.safetensors"), s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
