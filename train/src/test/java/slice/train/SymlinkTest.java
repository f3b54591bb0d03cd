package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.train.data.Dataset;
import slice.train.data.Sample;

/**
 * Symbolic links in a data folder: links to photos and to person folders are followed by {@code train} (the
 * {@link Dataset} scan) and by {@code predict} alike; a loop is listed once as skipped and never walked forever; a
 * broken link is listed as skipped.
 */
class SymlinkTest {
    @TempDir Path tmp;

    @Test
    void trainAndPredictFollowTheSameLinksAndSkipLoopsAndBrokenOnes() throws Exception {
        Path faces = tmp.resolve("faces"), elsewhere = tmp.resolve("elsewhere");
        for (int i = 0; i < 3; i++) {
            BadInputTest.png(faces.resolve("alice/" + i + ".png"), 0xff0000 + i);
            BadInputTest.png(elsewhere.resolve("bob/" + i + ".png"), 0x0000ff + i);
        }
        BadInputTest.png(elsewhere.resolve("alice-at-the-beach.png"), 0x00ff00);
        Files.createSymbolicLink(faces.resolve("bob"), elsewhere.resolve("bob"));                       // a person folder
        Files.createSymbolicLink(faces.resolve("alice/beach.png"), elsewhere.resolve("alice-at-the-beach.png"));   // a photo
        Files.createSymbolicLink(faces.resolve("alice/again"), Path.of("."));                           // a loop
        Files.createSymbolicLink(faces.resolve("alice/gone.png"), elsewhere.resolve("deleted.png"));    // broken

        Dataset d = Dataset.scan(faces);
        assertEquals(List.of("alice", "bob"), d.classes());
        Map<String, Integer> labels = new TreeMap<>();
        for (Sample s : d.samples()) labels.put(s.name(), s.label());
        assertEquals(Map.of("alice/0.png", 0, "alice/1.png", 0, "alice/2.png", 0, "alice/beach.png", 0,
                "bob/0.png", 1, "bob/1.png", 1, "bob/2.png", 1), labels);
        assertEquals(List.of(faces.resolve("alice/again") + ": symbolic link loop (a link to a folder it is in)",
                faces.resolve("alice/gone.png") + ": broken symbolic link"),
                d.skipped().stream().map(s -> s.file() + ": " + s.reason()).toList());
        String warning = d.warning().orElseThrow();
        assertTrue(warning.contains("\n  alice/again: symbolic link loop") && warning.contains("\n  alice/gone.png: broken symbolic link"),
                warning);

        List<Path> inTrain = new ArrayList<>();
        for (Sample s : d.samples()) inTrain.add(s.file());
        assertEquals(inTrain, PredictCommand.expand(List.of(faces)), "predict sees the photos train sees, in the same order");
    }
}
