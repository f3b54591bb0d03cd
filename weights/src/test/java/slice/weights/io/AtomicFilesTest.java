package slice.weights.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles}: a failed write names its file, keeps the old content and leaves no temporary file; written files
 * get the umask's permissions; {@link AtomicFiles#removeStaleTemporaries} removes only this class's temporary names,
 * only those older than the caller and locked by no process (a live write in another process holds its lock).
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

    private List<Path> files() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aFailureThatNamesNoFileNamesTheTarget() throws Exception {
        Path file = dir.resolve("features.f32");
        Files.writeString(file, "old");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[100]);
            throw new IOException("No space left on device");
        }));
        assertEquals(file.toString(), e.getFile());
        assertEquals("No space left on device", e.getReason());
        assertEquals(file + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(file), files(), "no temporary file left");
    }

    /** The unflushed write for checksummed entries is atomic like the flushed one: whole new content, or the old. */
    @Test
    void aChecksummedWriteReplacesWhollyOrKeepsTheOldContent() throws Exception {
        Path file = dir.resolve("ab12.f32");
        AtomicFiles.writeChecksummed(file, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeChecksummed(file, out -> {
            out.write(new byte[] {9, 9});
            throw new IOException("No space left on device");
        }));
        assertEquals(file + ": No space left on device", e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        AtomicFiles.writeChecksummed(file, out -> out.write(new byte[] {4, 5}));
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(file));
        assertEquals(List.of(file), files(), "no temporary file left");
    }

    @Test
    void aWrappedFailureGivesTheInnermostReason() {
        Path file = dir.resolve("curves.png");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(file, out -> {
            throw new IIOException("I/O error writing PNG file!", new IOException("No space left on device"));
        }));
        assertEquals(file + ": No space left on device", e.getMessage());
    }

    @Test
    void aFailureThatNamesItsFileIsPassedOnAsItIs() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "x");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(blocker.resolve("model.json"), "{}"));
        assertEquals(blocker.toString(), e.getFile(), "the folder that cannot be made, not the file: " + e);
    }

    /** Writes the file {@code args[0]} with {@link AtomicFiles}: run by the tests below under a chosen umask. */
    public static void main(String[] args) throws IOException {
        AtomicFiles.writeString(Path.of(args[0]), "written\n");
    }

    /** The permissions of a file that {@link #main} writes in a JVM started under {@code umask}. */
    private String permissionsUnder(String umask, Path file) throws Exception {
        String javaBin = System.getProperty("java.home") + "/bin/java";
        Process p = new ProcessBuilder("sh", "-c", "umask " + umask + " && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                javaBin, System.getProperty("java.class.path"), AtomicFilesTest.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void aWrittenFileHasThePermissionsTheUmaskGivesNotPrivateOnes() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        assertEquals("rw-r--r--", permissionsUnder("022", dir.resolve("model.safetensors")), "readable by the service user");
        assertEquals("rw-r-----", permissionsUnder("027", dir.resolve("group.json")));
        assertEquals("rw-------", permissionsUnder("077", dir.resolve("private.json")));

        Path reference = Files.createFile(dir.resolve("reference")), written = dir.resolve("written");
        AtomicFiles.writeString(written, "x");
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(written), "as any new file of this JVM");
    }
}
