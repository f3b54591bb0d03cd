package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Param;
import slice.engine.layers.Dense;
import slice.models.Architecture;
import slice.models.Preprocessing;

/**
 * Replacing a saved model: a save stopped between any two of its steps leaves a loadable model, the old one or the new
 * one, and the next save completes or removes what it left ({@link SavedModel#save}).
 */
class SavedModelReplaceTest {
    @TempDir Path tmp;

    /** A model whose classes and weights say which one it is: {@code classes} people, every weight {@code value}. */
    private record Model(List<String> classes, float value) {
        Graph graph() {
            Input in = new Input("input", 4);
            Graph g = new Graph(in, new Dense("logits", in, classes.size(), true));
            for (Param p : g.weights()) java.util.Arrays.fill(p.value.data, value);
            return g;
        }

        ModelCard card() {
            return new ModelCard(Architecture.MOBILENET_V2, 0.35f, 96, null, classes, Preprocessing.SCALE_TO_PLUS_MINUS_ONE,
                    Map.of("value", (double) value));
        }

        Path saveIn(Path dir) {
            Path f = dir.resolve("model.safetensors");
            SavedModel.save(f, graph(), card());
            return f;
        }
    }

    private static final Model OLD = new Model(List.of("ada", "bob"), 1f), NEW = new Model(List.of("ada", "bob", "cy"), 2f);

    /** Asserts that {@code file} loads as {@code expected}: its card and every weight. */
    private static void loadsAs(Model expected, Path file) {
        assertEquals(expected.card(), SavedModel.readCard(file));
        Graph g = expected.graph();
        for (Param p : g.weights()) java.util.Arrays.fill(p.value.data, -1f);
        assertEquals(expected.card(), SavedModel.load(file, g));
        for (Param p : g.weights()) assertEquals(expected.value(), p.value.data[0], p.name);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSaveReplacesThePairAndLeavesNothingElse() throws IOException {
        Path dir = tmp.resolve("m");
        OLD.saveIn(dir);
        Path f = NEW.saveIn(dir);
        loadsAs(NEW, f);
        assertEquals(List.of("model.json", "model.safetensors"), names(dir));
    }

    @Test
    void stoppedBeforeTheTensorsRenameTheOldModelLoadsAndTheStagedFilesAreRemoved() throws IOException {
        Path dir = tmp.resolve("m"), other = tmp.resolve("other");
        Path f = OLD.saveIn(dir);
        byte[] oldTensors = Files.readAllBytes(f), oldSidecar = Files.readAllBytes(dir.resolve("model.json"));
        Path n = NEW.saveIn(other);
        // the state after steps 2 and 3: both new files complete under their staged names
        Files.copy(n, SavedModel.stagedTensorsOf(f));
        Files.copy(SavedModel.sidecarOf(n), SavedModel.stagedSidecarOf(f));
        loadsAs(OLD, f);

        SavedModel.finishInterruptedSave(f);
        assertEquals(List.of("model.json", "model.safetensors"), names(dir));
        assertArrayEquals(oldTensors, Files.readAllBytes(f));
        assertArrayEquals(oldSidecar, Files.readAllBytes(dir.resolve("model.json")));
    }

    @Test
    void stoppedBetweenTheTwoRenamesTheNewModelLoadsAndTheNextSaveCompletesIt() throws IOException {
        Path dir = tmp.resolve("m"), other = tmp.resolve("other");
        Path f = OLD.saveIn(dir);
        Path n = NEW.saveIn(other);
        // the state after step 4: new tensors in place, old model.json, the new sidecar still staged
        Files.copy(n, f, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(SavedModel.sidecarOf(n), SavedModel.stagedSidecarOf(f));
        loadsAs(NEW, f);

        SavedModel.finishInterruptedSave(f);
        assertEquals(List.of("model.json", "model.safetensors"), names(dir));
        assertArrayEquals(Files.readAllBytes(SavedModel.sidecarOf(n)), Files.readAllBytes(dir.resolve("model.json")));
        loadsAs(NEW, f);
    }

    @Test
    void aSaveThatFailsAtItsLastRenameLeavesTheNewModelLoadable() throws IOException {
        Path dir = tmp.resolve("m");
        Path f = OLD.saveIn(dir);
        // model.json becomes a non-empty folder: nothing can be renamed over it
        Path sidecar = dir.resolve("model.json");
        Files.delete(sidecar);
        Files.createDirectories(sidecar.resolve("blocker"));
        WeightsException e = assertThrows(WeightsException.class, () -> NEW.saveIn(dir));
        assertTrue(e.getMessage().startsWith(sidecar + ": cannot write"), e.getMessage());
        loadsAs(NEW, f);
    }

    @Test
    void aReaderDuringSavesGetsAWholeModelEveryTime() throws Exception {
        Path dir = tmp.resolve("m");
        Model two = new Model(List.of("ada", "bob", "cy"), 2f), three = new Model(List.of("ada", "bob", "cy"), 3f);
        Path f = two.saveIn(dir);
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 400; i++) {
                    (i % 2 == 0 ? three : two).saveIn(dir);
                    Thread.sleep(1);   // saves a millisecond apart: far more often than any command saves
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done.set(true);
            }
        });
        writer.start();
        int reads = 0;
        try {
            while (!done.get()) {
                Graph g = two.graph();
                float value = ((Number) SavedModel.load(f, g).training().get("value")).floatValue();
                for (Param p : g.weights()) assertEquals(value, p.value.data[0], "weights of the card's model, read " + reads);
                reads++;
            }
        } finally {
            writer.join();
        }
        assertTrue(reads > 10, "reads during the saves: " + reads);
    }

    @Test
    void aStagedSidecarOfOtherTensorsIsNotTaken() throws IOException {
        Path dir = tmp.resolve("m");
        Path f = OLD.saveIn(dir);
        Files.writeString(SavedModel.stagedSidecarOf(f), "{\"format\": \"slice-model\", \"version\": 1, \"weights\": {}}");
        loadsAs(OLD, f);
        Files.writeString(SavedModel.stagedSidecarOf(f), "{ truncated");
        loadsAs(OLD, f);
        SavedModel.finishInterruptedSave(f);
        assertFalse(Files.exists(SavedModel.stagedSidecarOf(f)));
    }
}
