package slice.weights.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
