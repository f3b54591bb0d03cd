package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import slice.engine.Tensor;
import slice.models.ModelSpec;
import slice.weights.NpyFile;
import slice.weights.SavedModel;

/** Every bad input the commands can meet gives one line on stderr, {@code error: <file>: <problem>}, and exit code 2. */
class BadInputTest {
    @TempDir Path tmp;
    Path faces, garbageH5;

    record Result(int exit, String err) { }

    static Result run(String... args) {
        CommandLine cmd = Cli.commandLine();
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        return new Result(cmd.execute(args), err.toString());
    }

    /** Asserts exit code 2 and exactly one line: {@code error: <expected>}. */
    static void assertOneLineError(String expected, String... args) {
        Result r = run(args);
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals("error: " + expected, r.err().strip());
    }

    static void png(Path file, int rgb) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, rgb ^ (x * y));
        ImageIO.write(img, "png", file.toFile());
    }

    @BeforeEach
    void files() throws Exception {
        faces = tmp.resolve("faces");
        for (int i = 0; i < 3; i++) {
            png(faces.resolve("alice/" + i + ".png"), 0xff0000);
            png(faces.resolve("bob/" + i + ".png"), 0x0000ff);
        }
        garbageH5 = tmp.resolve("weights.h5");
        Files.write(garbageH5, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    }

    String[] train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", faces.toString(), "--faces", "whole",
                "--model", "mobilenetv2", "--weights", garbageH5.toString(),
                "--out", tmp.resolve("out").toString(), "--cache", tmp.resolve("cache").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void trainDataProblems() throws Exception {
        Path missing = tmp.resolve("nope");
        assertOneLineError("data folder " + missing + " does not exist or is not a folder",
                "train", "--data", missing.toString(), "--weights", garbageH5.toString());

        Path one = tmp.resolve("one");
        png(one.resolve("alice/1.png"), 1);
        png(one.resolve("alice/2.png"), 2);
        assertOneLineError("data folder " + one + " has 1 person folder; need at least 2 (one sub-folder of images per person)",
                "train", "--data", one.toString(), "--weights", garbageH5.toString());

        Path few = tmp.resolve("few");
        png(few.resolve("alice/1.png"), 1);
        png(few.resolve("alice/2.png"), 2);
        png(few.resolve("bob/1.png"), 3);
        Files.writeString(few.resolve("bob/2.jpg"), "not really a JPEG");
        Result r = run("train", "--data", few.toString(), "--weights", garbageH5.toString());
        assertEquals(2, r.exit());
        assertEquals("error: in " + few + ", 'bob' has 1 usable image (1 skipped); every person needs at least 2 images", r.err().strip());
    }

    @Test
    void trainOptionAndWeightsProblems() {
        Path none = tmp.resolve("none.h5");
        assertOneLineError(none + ": no such weights file", "train", "--data", faces.toString(), "--model", "mobilenetv2",
                "--weights", none.toString());
        assertOneLineError("unknown model 'resnet': choose one of mobilenetv2, inceptionv3, face-resnet",
                "train", "--data", faces.toString(), "--model", "resnet");
        assertOneLineError("--face-margin does not apply to face-resnet: it frames each face as face-api's describer does (dlib's"
                + " square box from the 68 landmarks); leave it out, or choose --model mobilenetv2 or inceptionv3",
                "train", "--data", faces.toString(), "--face-margin", "0.3");
        assertOneLineError("--epochs must be at least 1, got 0", train("--epochs", "0"));
        assertOneLineError("--hidden must be >= 0, got -1", train("--hidden", "-1"));
        assertOneLineError("--label-smoothing must be in [0, 1), got 1.0", train("--label-smoothing", "1"));
        assertOneLineError("Invalid value for option '--optimizer': expected one of [ADAM, SGD] (case-insensitive) but was 'adamw'"
                + " (see 'java -jar train.jar train --help')", train("--optimizer", "adamw"));
        assertOneLineError("--cut: mobilenetv2 has no layer named 'block_99'", train("--cut", "block_99", "--size", "32"));
        assertOneLineError("--fine-tune-from: 'out_relu' is not a layer of mobilenetv2 before the cut block_5_add",
                train("--cut", "block_5_add", "--fine-tune-from", "out_relu", "--size", "32"));
        Result r = run(train("--size", "32"));
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + garbageH5), r.err());
        assertOneLineError("Invalid value for option '--epochs': 'many' is not an int (see 'java -jar train.jar train --help')",
                train("--epochs", "many"));
        assertOneLineError("--val and --test must be fractions with --test > 0 and val + test < 1", train("--val", "0.5", "--test", "0.5"));
        assertOneLineError(tmp.resolve("out") + ": nothing to resume: no checkpoint.safetensors here", train("--resume"));
    }

    /** NaN, infinity and a float beyond range are refused while parsing, for every float and double option, in one line. */
    @Test
    void nonFiniteNumbersAreRefusedForEveryFloatOption() {
        assertOneLineError("Invalid value for option '--lr': 'Infinity' is not a finite float (see 'java -jar train.jar train --help')",
                train("--lr", "Infinity"));
        assertOneLineError("Invalid value for option '--weight-decay': 'Infinity' is not a finite float"
                + " (see 'java -jar train.jar train --help')", train("--weight-decay", "Infinity"));
        assertOneLineError("Invalid value for option '--lr': '1e39' is not a finite float (see 'java -jar train.jar train --help')",
                train("--lr", "1e39"));
        assertOneLineError("Invalid value for option '--dropout': 'NaN' is not a finite float (see 'java -jar train.jar train --help')",
                train("--dropout", "NaN"));
        assertOneLineError("Invalid value for option '--val': '-Infinity' is not a finite double (see 'java -jar train.jar train --help')",
                train("--val", "-Infinity"));
        assertOneLineError("Invalid value for option '--lr': 'fast' is not a float (see 'java -jar train.jar train --help')",
                train("--lr", "fast"));
        assertOneLineError("Invalid value for option '--threshold': 'NaN' is not a finite float"
                + " (see 'java -jar train.jar predict --help')", "predict", "--model", tmp.toString(), "--threshold", "NaN", "x.jpg");
    }

    /**
     * Sizes are checked before anything is built: above {@link slice.models.ModelSpec#MAX_SIZE} in any heap; and, in a
     * 256 MB heap, a size whose activations for one image take over half of it (α0.35 at 1024 px, measured by the
     * check itself from the built network), with the numbers that decided it.
     */
    @Test
    void inputSizesBeyondTheLimitOrTheHeapAreRefused() throws Exception {
        assertOneLineError("mobilenetv2 takes an input of at most 2048 pixels, got 100000", train("--size", "100000"));
        RelaunchTest.Run r = RelaunchTest.java(List.of("-Xmx256m"), train("--alpha", "0.35", "--size", "1024"));
        assertEquals(2, r.exit(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).matches("error: --size 1024 needs [0-9,]+ MB of activations for one image, over half the maximum heap"
                + " \\([0-9,]+ MB\\): use a smaller size, or give java a larger -Xmx"), errors.get(0));
        long needMb = Long.parseLong(errors.get(0).split(" needs ")[1].split(" MB")[0].replace(",", ""));
        long heapMb = Long.parseLong(errors.get(0).split("heap \\(")[1].split(" MB")[0].replace(",", ""));
        assertTrue(needMb > heapMb / 2 && heapMb <= 256, errors.get(0));
    }

    /** A saved model with zero weights (MobileNetV2 α0.35 at 32 px): enough to exercise loading and predict. */
    Path savedModel() {
        FaceModel m = FaceModel.build(ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0), null, null, new FaceModel.Head(0, 0f), 2, 1);
        Path dir = tmp.resolve("model");
        SavedModel.save(dir.resolve(TrainCommand.MODEL), m.full, UnknownScore.empty(2, m.full.layer(m.embedding).outputSize()).tensors(),
                m.card(List.of("alice", "bob"),
                        Map.of("head_hidden", 0, "head_dropout", 0.0, "unknown_score", UnknownScore.NAME, "unknown_threshold", 0.3)));
        return dir;
    }

    @Test
    void predictModelAndImageProblems() throws Exception {
        Path missing = tmp.resolve("nothing");
        assertOneLineError(missing + ": no such model", "predict", "--model", missing.toString(), "x.jpg");
        assertOneLineError(faces + ": no model.safetensors in this folder (is it a folder written by train?)",
                "predict", "--model", faces.toString(), "x.jpg");

        Path model = savedModel();
        Path good = faces.resolve("alice/0.png"), corrupt = tmp.resolve("corrupt.jpg"), absent = tmp.resolve("absent.png");
        Files.writeString(corrupt, "GIF89a but not really");
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Result r;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r = run("predict", "--model", model.toString(), good.toString(), corrupt.toString(), absent.toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, r.exit(), "a file could not be read");
        List<String> errors = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(2, errors.size(), err.toString(StandardCharsets.UTF_8));
        assertTrue(errors.get(0).startsWith("error: " + corrupt + ": "), errors.get(0));
        assertEquals("error: " + absent + ": no such file", errors.get(1));

        Path json = model.resolve("model.json");
        Files.writeString(json, Files.readString(json).replace("\"class_names\"", "\"names\""));
        assertOneLineError(json + ": class_names is missing or not a list", "predict", "--model", model.toString(), good.toString());
        Files.writeString(json, Files.readString(json).replace("\"names\"", "\"class_names\"")
                .replace("\"input_size\": 32", "\"input_size\": 100000"));
        assertOneLineError(json + ": input_size is 100000, not a whole number in [1, 2048]", "predict", "--model", model.toString(),
                good.toString());

        Path tensors = savedModel().resolve(TrainCommand.MODEL);
        String card = Files.readString(json);
        Files.writeString(json, card.replace("\"unknown_threshold\": 0.3", "\"unknown_threshold\": 5.0"));
        assertOneLineError(json + ": its fields were edited after it was written (card_sha256 does not match them);"
                + " restore the file as train wrote it, or train again", "predict", "--model", model.toString(), good.toString());
        String versionOne = card.replaceAll(",\\s*\"card_sha256\": \"[0-9a-f]+\"", "").replace("\"version\": 2", "\"version\": 1");
        Files.writeString(json, versionOne.replace("\"unknown_threshold\": 0.3", "\"unknown_threshold\": 5.0"));
        assertOneLineError(json + ": training.unknown_threshold is 5.0, not in [0, 1], as predict --threshold", "predict", "--model",
                model.toString(), good.toString());
        Files.writeString(json, versionOne.replace("\"head_dropout\": 0.0", "\"head_dropout\": 1.0"));
        assertOneLineError(json + ": training.head_dropout is 1.0, not in [0, 1)", "predict", "--model", model.toString(), good.toString());
        Files.writeString(json, versionOne.replace("\"head_hidden\": 0", "\"head_hidden\": -3"));
        assertOneLineError(json + ": training.head_hidden is -3, not a whole number in [0, 100000]", "predict", "--model",
                model.toString(), good.toString());
        Files.writeString(json, card);

        byte[] bytes = Files.readAllBytes(tensors);
        Files.write(tensors, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Result truncated = run("predict", "--model", tensors.toString(), good.toString());
        assertEquals(2, truncated.exit());
        assertTrue(truncated.err().startsWith("error: " + tensors + ": ") && truncated.err().contains("(truncated)"), truncated.err());
    }

    @Test
    void evaluateAndFeaturesProblems() throws Exception {
        Path model = savedModel();
        png(faces.resolve("carol/0.png"), 5);
        png(faces.resolve("carol/1.png"), 6);
        assertOneLineError(faces.resolve("carol") + ": 'carol' is not one of the 2 people this model knows",
                "evaluate", "--model", model.toString(), "--data", faces.toString());
        assertOneLineError("Invalid value for option '--split': expected one of [ALL, TEST, VAL] (case-insensitive) but was 'train'"
                + " (see 'java -jar train.jar evaluate --help')", "evaluate", "--model", model.toString(), "--data", faces.toString(),
                "--split", "train");

        Path npy = tmp.resolve("x.npy");
        NpyFile.write(npy, new Tensor(2, 64, 64, 3));
        assertOneLineError(npy + ": shape [2, 64, 64, 3] is not [N, 224, 224, 3] (use --size to match)",
                "features", "--weights", garbageH5.toString(), "--input-npy", npy.toString(), "--out", tmp.resolve("f.npy").toString());
        Result both = run("features", "--weights", garbageH5.toString(), "--input-npy", npy.toString(), "a.jpg", "--out", "f.npy");
        assertEquals(2, both.exit());
        assertEquals("error: Unmatched argument at index 5: 'a.jpg' (see 'java -jar train.jar features --help')", both.err().strip(),
                "--input-npy and images are exclusive");
    }
}
