package slice.weights.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicFiles#removeStaleTemporaries}: only this class's temporary names, only those older than the caller. */
class AtomicFilesTest {
    @TempDir Path dir;

    private Path file(String name, Instant modified) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "x");
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void removesOnlyItsOwnOldTemporaries() throws IOException {
        Instant start = Instant.now();
        Instant before = start.minusSeconds(60), after = start.plusSeconds(60);
        file(".checkpoint.safetensors4821093377610291.tmp", before);
        file(".model.safetensors.next99.tmp", before);
        file(".split.tsv123.tmp", after);            // a live write's, newer than the caller
        file("notes.tmp", before);                    // not hidden: the user's
        file(".notes.tmp", before);                   // no digits: not ours
        file(".model.json.next", before);             // SavedModel's staged file: its own business
        Files.createDirectories(dir.resolve(".folder77.tmp"));

        assertEquals(List.of(".checkpoint.safetensors4821093377610291.tmp", ".model.safetensors.next99.tmp"),
                AtomicFiles.removeStaleTemporaries(dir, start));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(".folder77.tmp", ".model.json.next", ".notes.tmp", ".split.tsv123.tmp", "notes.tmp"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
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
