package slice.weights.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicFiles}: a failed write names its file, keeps the old content and leaves no temporary file. */
class AtomicFilesTest {
    @TempDir Path dir;

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
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
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
