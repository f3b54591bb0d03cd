package slice.train;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.weights.io.AtomicFiles;

/**
 * The written results of {@code train} and {@code evaluate}: {@code metrics.json} (machine-readable), {@code report.md}
 * (for people), {@code confusion.png} and, after training, {@code curves.png}. Every file is written atomically.
 */
final class Report {
    /** Records (the {@link EpochStats} of the history) are written with their fields in snake case: {@code val_loss}. */
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    private Report() { }

    /** Where the numbers were measured: JDK, kernels, vector width, threads, heap, OS. */
    static Map<String, Object> environment() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("jdk", Runtime.version().toString());
        e.put("jdk_vendor", System.getProperty("java.vendor"));
        e.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        e.put("kernels", Simd.describe());
        e.put("vector_bits", Simd.ENABLED ? Simd.FLOAT_LANES * 32 : 0);
        e.put("threads", Parallel.threads());
        e.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return e;
    }

    /** Writes {@code metrics.json}, {@code report.md}, {@code confusion.png} and, with a history, {@code curves.png}. */
    static void write(Path dir, Map<String, Object> metrics, String markdown, Evaluation evaluation,
                      List<EpochStats> history, int bestEpoch) throws IOException {
        AtomicFiles.writeString(dir.resolve("metrics.json"), GSON.toJson(metrics) + "\n");
        AtomicFiles.writeString(dir.resolve("report.md"), markdown);
        try {
            Charts.confusion(evaluation.metrics(), dir.resolve("confusion.png"));
            if (!history.isEmpty()) Charts.curves(history, bestEpoch, dir.resolve("curves.png"));
        } catch (Error | RuntimeException e) {
            // A JRE without fonts or AWT libraries cannot draw; the numbers above are already written.
            System.err.println("warning: charts not drawn (" + e + ")");
        }
    }

    /** The report's sections on one evaluated set: accuracy with interval, per-class scores, mistakes. */
    static String evaluationMarkdown(String title, Evaluation ev) {
        Metrics m = ev.metrics();
        StringBuilder md = new StringBuilder();
        md.append("## ").append(title).append("\n\n");
        md.append("- accuracy: **").append(m.accuracyLine()).append("** (95 % Wilson interval)\n");
        md.append(String.format(Locale.ROOT, "- macro F1: %.3f%n", m.macroF1()));
        md.append(String.format(Locale.ROOT, "- answered `unknown` at threshold %.3f: %.1f %%%n%n", ev.threshold(),
                100 * ev.unknownRate()));
        md.append("| class | precision | recall | F1 | images |\n|---|---:|---:|---:|---:|\n");
        for (Metrics.ClassScores s : m.perClass()) {
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %d |%n", s.name(), s.precision(), s.recall(), s.f1(),
                    s.support()));
        }
        List<Evaluation.Prediction> wrong = ev.misclassified();
        md.append("\n").append(wrong.size()).append(wrong.size() == 1 ? " misclassified image" : " misclassified images")
                .append(wrong.isEmpty() ? ".\n\n" : ":\n\n");
        for (Evaluation.Prediction p : wrong) {
            md.append(String.format(Locale.ROOT, "- `%s`: %s, predicted %s (%.3f)%n", p.file(), m.classes().get(p.truth()),
                    m.classes().get(p.predicted()), p.probability()));
        }
        return md.append('\n').toString();
    }

    static String epochsMarkdown(List<EpochStats> history, int bestEpoch) {
        StringBuilder md = new StringBuilder("## Training\n\n![curves](curves.png)\n\n");
        md.append("| epoch | loss | accuracy | val loss | val accuracy | seconds | learning rate |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (EpochStats s : history) {
            md.append(String.format(Locale.ROOT, "| %d%s | %.4f | %.1f %% | %.4f | %.1f %% | %.1f | %.2e |%n", s.epoch(),
                    s.epoch() == bestEpoch ? " (best)" : "", s.loss(), 100 * s.accuracy(), s.valLoss(), 100 * s.valAccuracy(),
                    s.seconds(), s.lr()));
        }
        return md.append('\n').toString();
    }

    static String factsMarkdown(String heading, Map<String, Object> facts) {
        StringBuilder md = new StringBuilder("## ").append(heading).append("\n\n");
        facts.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        return md.append('\n').toString();
    }
}
