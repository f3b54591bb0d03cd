package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product end to end, as a user runs it: {@code train} → {@code predict} → {@code evaluate} on the AT&T faces
 * (40 people) with the real MobileNetV2 α0.35 ImageNet weights, each command a separate JVM started without
 * {@code --add-modules} (so it relaunches) and with the 1 GB heap of a 4 GB Raspberry Pi. Input 96 px keeps it fast.
 */
class RoundTripTest {
    @TempDir Path tmp;

    @Test
    void trainPredictEvaluateOnRealFacesInAOneGigabyteHeap() throws Exception {
        Path faces = RealData.attFaces();
        Path weights = RealData.mobileNetV2Alpha035();
        Path out = tmp.resolve("model");
        List<String> heap = List.of("-Xmx1g");
        // AT&T's photos are face crops: whole photos (FacesModeTest covers --faces detect, the default)
        String[] train = {"train", "--data", faces.toString(), "--faces", "whole", "--model", "mobilenetv2", "--alpha", "0.35",
            "--size", "96",
            "--weights", weights.toString(), "--epochs", "12", "--out", out.toString(), "--cache", tmp.resolve("cache").toString()};

        RelaunchTest.Run trained = RelaunchTest.java(heap, train);
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(trained.err().contains("slice: vector kernels"), trained.err());
        assertTrue(trained.out().contains("epoch 12/12"), trained.out());
        JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject();
        double testAccuracy = metrics.get("test_accuracy").getAsDouble();
        assertTrue(testAccuracy > 0.85, "chance is 2.5 %; got " + testAccuracy);
        assertEquals(40, metrics.getAsJsonArray("test_per_class").size());
        assertTrue(metrics.getAsJsonArray("test_accuracy_ci95").get(0).getAsDouble() < testAccuracy);
        assertEquals(1024, metrics.getAsJsonObject("environment").get("max_heap_mb").getAsInt());
        for (String f : List.of("model.safetensors", "model.json", "report.md", "curves.png", "confusion.png", "checkpoint.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // split.tsv lists every usable image once, with its person and part, as metrics.json counts them
        List<String[]> split = Files.readAllLines(out.resolve("split.tsv")).stream().filter(l -> !l.startsWith("#"))
                .map(l -> l.split("\t")).toList();
        assertEquals(400, split.size());
        JsonObject images = metrics.getAsJsonObject("images");
        for (String part : List.of("train", "val", "test")) {
            assertEquals(images.get(part).getAsInt(), split.stream().filter(r -> r[2].equals(part)).count(), part);
        }
        assertTrue(split.stream().allMatch(r -> Path.of(r[0]).getParent().getFileName().toString().equals(r[1])), "person = folder");

        RelaunchTest.Run predicted = RelaunchTest.java(heap, "predict", "--model", out.toString(), "--top-k", "2",
                faces.resolve("s1/1.pgm").toString(), faces.resolve("s7/2.pgm").toString(), faces.resolve("s12").toString());
        assertEquals(0, predicted.exit(), predicted.err());
        List<String> lines = predicted.out().lines().toList();
        assertEquals(12, lines.size(), "two files and a folder of ten: " + predicted.out());
        assertTrue(lines.get(2).startsWith(faces.resolve("s12/1.pgm") + "\t"), lines.get(2));
        assertTrue(lines.subList(2, 12).stream().filter(l -> l.split("\t")[1].equals("s12")).count() >= 8, predicted.out());
        assertTrue(lines.get(0).startsWith(faces.resolve("s1/1.pgm") + "\ts1\t"), lines.get(0));
        assertTrue(lines.get(1).startsWith(faces.resolve("s7/2.pgm") + "\ts7\t"), lines.get(1));
        assertEquals(4, lines.get(0).split("\t").length, "file, person, probability, second person");

        RelaunchTest.Run evaluated = RelaunchTest.java(heap, "evaluate", "--model", out.toString(), "--data", faces.toString(),
                "--split", "test");
        assertEquals(0, evaluated.exit(), evaluated.err());
        JsonObject again = JsonParser.parseString(Files.readString(out.resolve("evaluation/metrics.json"))).getAsJsonObject();
        assertEquals(testAccuracy, again.get("accuracy").getAsDouble(), 1e-12, "evaluate reproduces the training run's test accuracy");
        assertEquals(metrics.get("test_unknown_rate").getAsDouble(), again.get("unknown_rate").getAsDouble(), 1e-12,
                "predict's unknown scores (embedding read in the full network) are the ones train computed from cached features");

        // Running the same command again resumes the finished run from its checkpoint and writes the same model.
        byte[] model = Files.readAllBytes(out.resolve("model.safetensors"));
        RelaunchTest.Run rerun = RelaunchTest.java(heap, train);
        assertEquals(0, rerun.exit(), rerun.err());
        assertTrue(rerun.err().contains("resuming the run checkpointed in"), rerun.err());
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")));
    }
}
