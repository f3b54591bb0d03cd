package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static slice.train.BadInputTest.assertOneLineError;
import static slice.train.BadInputTest.png;
import static slice.train.BadInputTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SmallDisk;
import slice.models.ModelSpec;
import slice.weights.ModelCard;
import slice.weights.SavedModel;

/**
 * The messages of issue 14's item 8: each bad input gives one line on stderr that names the file, field or option and
 * the problem, with exit code 2, and is refused before the work it would spoil.
 */
class MessagesTest {
    @TempDir Path tmp;

    /** A saved model with zero weights (MobileNetV2 α0.35 at 32 px), trained on whole photos of alice and bob. */
    Path savedModel() {
        return savedModel(card -> card);
    }

    /** {@link #savedModel()} with its card as {@code edit} makes it: what a hand-edited model.json would hold. */
    Path savedModel(UnaryOperator<ModelCard> edit) {
        FaceModel m = FaceModel.build(ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0), null, null, new FaceModel.Head(0, 0f), 2, 1);
        Path dir = tmp.resolve("model");
        ModelCard card = m.card(List.of("alice", "bob"),
                Map.of("head_hidden", 0, "head_dropout", 0.0, "unknown_score", UnknownScore.NAME, "unknown_threshold", 0.3));
        SavedModel.save(dir.resolve(TrainCommand.MODEL), m.full, UnknownScore.empty(2, m.full.layer(m.embedding).outputSize()).tensors(),
                edit.apply(card));
        return dir;
    }

    /** {@code card} with {@code training.key} set to {@code value}. */
    static ModelCard withTraining(ModelCard card, String key, Object value) {
        Map<String, Object> training = new java.util.HashMap<>(card.training());
        training.put(key, value);
        return new ModelCard(card.architecture(), card.alpha(), card.inputSize(), card.cutLayer(), card.classNames(),
                card.preprocessing(), training);
    }

    @Test
    void thresholdOutsideZeroToOneIsRefusedBeforeTheModelIsRead() {
        String nowhere = tmp.resolve("no-model").toString();
        assertOneLineError("--threshold must be in [0, 1], got 7.0 (see 'java -jar train.jar evaluate --help')",
                "evaluate", "--model", nowhere, "--data", tmp.toString(), "--threshold", "7");
        assertOneLineError("--threshold must be in [0, 1], got -0.5 (see 'java -jar train.jar predict --help')",
                "predict", "--model", nowhere, "--threshold", "-0.5", "x.jpg");
        assertOneLineError("Invalid value for option '--threshold': 'NaN' is not a finite float (see 'java -jar train.jar predict --help')",
                "predict", "--model", nowhere, "--threshold", "NaN", "x.jpg");
    }

    @Test
    void predictOnFoldersWithoutImagesSaysSo() throws Exception {
        Path model = savedModel();
        Path empty = Files.createDirectories(tmp.resolve("empty")), hiddenOnly = Files.createDirectories(tmp.resolve("hidden"));
        Files.writeString(hiddenOnly.resolve(".DS_Store"), "x");
        assertOneLineError("no images found in " + empty, "predict", "--model", model.toString(), empty.toString());
        assertOneLineError("no images found in " + empty + ", " + hiddenOnly,
                "predict", "--model", model.toString(), empty.toString(), hiddenOnly.toString());
        assertOneLineError("no images found in " + empty, "detect", "--face-models", tmp.resolve("no-models").toString(), empty.toString());
    }

    @Test
    void anOutputFolderThatIsAFileIsRefusedBeforeAnyWork() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        Path faces = tmp.resolve("faces");
        png(faces.resolve("alice/0.png"), 1);
        png(faces.resolve("bob/0.png"), 2);
        Path noWeights = tmp.resolve("absent.h5");   // refused later than --out, were --out not checked first
        assertOneLineError(file + ": exists and is not a folder (--out names a folder to write into)",
                "train", "--data", faces.toString(), "--weights", noWeights.toString(), "--out", file.toString());
        assertOneLineError(file + ": exists and is not a folder (--cache names a folder to write into)",
                "train", "--data", faces.toString(), "--weights", noWeights.toString(), "--cache", file.resolve("features").toString());
        assertOneLineError(file + ": exists and is not a folder (--out names a folder to write into)",
                "evaluate", "--model", tmp.resolve("no-model").toString(), "--data", faces.toString(), "--out", file.toString());
        assertOneLineError(faces + ": is a folder (--out names the file to write)",
                "features", "--weights", noWeights.toString(), "--out", faces.toString(), faces.resolve("alice/0.png").toString());
        assertOneLineError(file + ": exists and is not a folder (--annotate names a folder to write into)",
                "predict", "--model", tmp.resolve("no-model").toString(), "--annotate", file.toString(), "x.jpg");
        assertOneLineError(file + ": exists and is not a folder (--model names a folder to write into)",
                "enroll", "--model", file.toString(), "--person", "alice", "--face-models", tmp.resolve("no-models").toString(),
                faces.resolve("alice/0.png").toString());
        assertOneLineError(file + ": no gallery here (gallery.json): enroll someone first", "people", "--model", file.toString());
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void aModelCanBeNamedByItsFolderItsTensorsOrItsSidecar() throws Exception {
        Path model = savedModel();
        Path image = tmp.resolve("a.png");
        png(image, 7);
        for (Path named : List.of(model, model.resolve("model.safetensors"), model.resolve("model.json"))) {
            BadInputTest.Result r = run("predict", "--model", named.toString(), image.toString());
            assertEquals(0, r.exit(), named + ": " + r.err());
        }
        Files.writeString(model.resolve("model.bin"), "some other file");
        assertOneLineError(model.resolve("model.bin") + ": not a model: give the folder train wrote, or its model.safetensors or"
                + " model.json",
                "predict", "--model", model.resolve("model.bin").toString(), image.toString());
        Files.delete(model.resolve("model.safetensors"));
        assertOneLineError(model.resolve("model.safetensors") + ": no such file (its sidecar " + model.resolve("model.json") + " exists)",
                "predict", "--model", model.resolve("model.json").toString(), image.toString());
    }

    @Test
    void badCardFieldsAreNamedAsFieldsOfTheSidecar() throws Exception {
        Path image = tmp.resolve("a.png"), json = tmp.resolve("model/model.json");
        png(image, 7);
        savedModel(card -> withTraining(card, "head_hidden", -1));
        assertOneLineError(json + ": training.head_hidden is -1, not a whole number in [0, 100000]",
                "predict", "--model", json.getParent().toString(), image.toString());
        savedModel(card -> withTraining(card, "head_dropout", 1.5));
        assertOneLineError(json + ": training.head_dropout is 1.5, not in [0, 1)",
                "predict", "--model", json.getParent().toString(), image.toString());
        savedModel(card -> new ModelCard(card.architecture(), card.alpha(), card.inputSize(), "block_99", card.classNames(),
                card.preprocessing(), card.training()));
        assertOneLineError(json + ": field cut_layer: mobilenetv2 has no layer named 'block_99'",
                "evaluate", "--model", json.getParent().toString(), "--data", tmp.toString());
    }

    /**
     * A real full disk: a 64 KiB tmpfs (mounting one needs root; skipped otherwise), filled up; {@code evaluate} then
     * cannot write its reports and says which file, not only the system's "No space left on device".
     */
    @Test
    void aFullDiskNamesTheFileThatCouldNotBeWritten() throws Exception {
        try (SmallDisk small = SmallDisk.mount(tmp.resolve("disk"), 64)) {
            Path disk = small.folder();
            try {
                Files.write(disk.resolve("filler"), new byte[128 << 10]);
            } catch (java.io.IOException full) {
                assertTrue(full.getMessage().contains("No space left on device"), full.toString());
            }
            Path model = savedModel(), faces = tmp.resolve("faces"), reports = disk.resolve("evaluation");
            for (int i = 0; i < 2; i++) {
                png(faces.resolve("alice/" + i + ".png"), 0xff0000 + i);
                png(faces.resolve("bob/" + i + ".png"), 0x0000ff + i);
            }
            assertOneLineError(reports.resolve("metrics.json") + ": No space left on device",
                    "evaluate", "--model", model.toString(), "--data", faces.toString(), "--out", reports.toString());
        }
    }

    @Test
    void aPhotoTooLargeToDecodeIsCalledTooLarge() throws Exception {
        Path model = savedModel(), big = Files.write(tmp.resolve("big.png"), slice.train.data.ImageDecoderTest.pngDeclaring(60000, 60000));
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        BadInputTest.Result r;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            r = run("predict", "--model", model.toString(), big.toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, r.exit());
        List<String> errors = err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(List.of("error: " + big + ": too large: a PNG of 60000x60000 pixels (3,600,000,000); the limit is 268,435,456 pixels"
                + " (16384x16384)"), errors);
    }

    @Test
    void aDeeplyNestedSidecarIsOneShortLine() throws Exception {
        Path model = savedModel(), json = model.resolve("model.json");
        String card = Files.readString(json);
        Files.writeString(json, card.replace("\"class_names\": [", "\"class_names\": " + "[".repeat(5000) + "]".repeat(4999) + ","));
        BadInputTest.Result r = run("predict", "--model", model.toString(), "x.png");
        assertEquals(2, r.exit(), r.err());
        String line = r.err().strip();
        String expected = java.util.regex.Pattern.quote("error: " + json + ": not valid JSON (at line ")
                + "\\d+ column \\d+: Nesting limit 255 reached\\)";
        assertTrue(line.matches(expected), line);
    }
}
