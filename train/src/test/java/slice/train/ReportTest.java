package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir Path dir;

    static Evaluation sampleEvaluation() {
        // 3 classes, 6 images; image 2 (class 0) is taken for class 1 with probability 0.6; unknown scores 0.5 and 0.6
        // (images 1 and 2) are below the threshold 0.7.
        float[] probs = {
            0.9f, 0.05f, 0.05f,   0.8f, 0.1f, 0.1f,   0.3f, 0.6f, 0.1f,
            0.1f, 0.85f, 0.05f,   0.05f, 0.05f, 0.9f,  0.2f, 0.2f, 0.6f};
        return Evaluation.of(List.of("alice", "bob", "carol"), List.of("alice/1.jpg", "alice/2.jpg", "alice/3.jpg", "bob/1.jpg",
                "carol/1.jpg", "carol/2.jpg"), new int[] {0, 0, 0, 1, 2, 2}, probs,
                new float[] {0.9f, 0.5f, 0.6f, 0.85f, 0.9f, 0.8f}, 0.7f);
    }

    @Test
    void evaluationCountsMistakesAndUnknowns() {
        Evaluation ev = sampleEvaluation();
        assertEquals(5.0 / 6, ev.metrics().accuracy(), 1e-12);
        assertEquals(1, ev.misclassified().size());
        assertEquals("alice/3.jpg", ev.misclassified().get(0).file());
        assertEquals(0.6f, ev.misclassified().get(0).probability());
        assertEquals(2.0 / 6, ev.unknownRate(), 1e-12, "scores 0.5 and 0.6 are below 0.7");
    }

    @Test
    void writesMetricsReportAndCharts() throws Exception {
        Evaluation ev = sampleEvaluation();
        List<EpochStats> history = List.of(new EpochStats(1, 1.2, 0.4, 1.1, 0.5, 2.0, 1e-3),
                new EpochStats(2, 0.7, 0.7, 0.8, 0.66, 1.5, 8e-4), new EpochStats(3, 0.4, 0.9, 0.9, 0.66, 1.5, 5e-4));
        Map<String, Object> json = new LinkedHashMap<>(ev.toJson("test_"));
        json.put("epochs", history);
        json.put("environment", Report.environment());
        Report.write(dir, json, Report.evaluationMarkdown("Test set", ev) + Report.epochsMarkdown(history, 2), ev, history, 2);

        String metrics = Files.readString(dir.resolve("metrics.json"));
        com.google.gson.JsonObject j = com.google.gson.JsonParser.parseString(metrics).getAsJsonObject();
        assertEquals(5.0 / 6, j.get("test_accuracy").getAsDouble(), 1e-12);
        assertEquals(0.4365, j.getAsJsonArray("test_accuracy_ci95").get(0).getAsDouble(), 1e-4);
        assertEquals("alice/3.jpg", j.getAsJsonArray("test_misclassified").get(0).getAsJsonObject().get("file").getAsString());
        assertEquals("[[2,1,0],[0,1,0],[0,0,2]]",
                j.getAsJsonObject("test_confusion_matrix").get("rows_true_columns_predicted").toString());
        assertTrue(j.getAsJsonObject("environment").has("vector_bits"), metrics);
        assertEquals("{\"epoch\":2,\"loss\":0.7,\"accuracy\":0.7,\"val_loss\":0.8,\"val_accuracy\":0.66,\"seconds\":1.5,\"lr\":8.0E-4}",
                j.getAsJsonArray("epochs").get(1).toString());
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("- accuracy: **83.3 % [43.6 %, 97.0 %] (5/6)**"), md);
        assertTrue(md.contains("| 2 (best) | 0.7000 | 70.0 % |"), md);
        BufferedImage curves = ImageIO.read(dir.resolve("curves.png").toFile());
        BufferedImage confusion = ImageIO.read(dir.resolve("confusion.png").toFile());
        assertNotNull(curves);
        assertNotNull(confusion);
        assertEquals(1000, curves.getWidth());
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")));
    }
}
