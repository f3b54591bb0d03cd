package slice.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import slice.train.data.Dataset;
import slice.train.data.Sample;
import slice.train.data.Split;

/** {@code evaluate}: the training metrics, measured again on a labelled folder. */
@Command(name = "evaluate", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Measure a trained model on a folder with one sub-folder per person (the people it was trained on):",
                "accuracy with its 95 %% interval, per-person precision/recall/F1, confusion matrix, misclassified files.",
                "Writes metrics.json, report.md and confusion.png to --out. On the training folder, use --split test:",
                "--split all would count the images the model was trained on."},
        footer = {"", "Example:", "  java -jar train.jar evaluate --model face-model --data new-photos",
                "  java -jar train.jar evaluate --model face-model --data faces --split test   # the training run's test split"})
final class EvaluateCommand extends Cli.Task {
    @Mixin Options.TrainedModel model;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Labelled folder: one sub-folder per person.")
    Path data;

    /** Which images of {@code --data} to evaluate. */
    enum Part {
        ALL, TEST, VAL;

        @Override public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Option(names = "--split", paramLabel = "PART", defaultValue = "all",
            description = "all images, or only the 'test' (or 'val') part of the split the model was trained with"
                    + " (default: ${DEFAULT-VALUE}).")
    Part split;

    @Mixin Options.UnknownCutoff unknown;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where to write the reports (default: <model>/evaluation).")
    Path out;

    @Override protected int run() throws Exception {
        if (out != null) Options.requireFolderPath(out, "--out");
        Phases phases = new Phases();
        Recogniser r = model.load();
        Dataset dataset = phases.time("scan", () -> {
            Dataset scanned = Dataset.scan(data);
            return r.faces == null ? scanned : scanned.without(r.faces.locate(scanned.samples()), TrainCommand.NO_FACE);
        });
        dataset.warning().ifPresent(System.err::println);
        List<Sample> samples = select(dataset, r);
        int[] truth = new int[samples.size()];
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            String person = dataset.classes().get(s.label());
            truth[i] = r.classes.indexOf(person);
            if (truth[i] < 0) {
                throw UserError.about(data.resolve(person),
                        "'" + person + "' is not one of the " + r.classes.size() + " people this model knows");
            }
            files.add(s.file());
            names.add(s.name());
        }
        String[] errors = new String[files.size()];
        Recogniser.Answers answers = phases.time("evaluation", () -> r.answers(files, errors));
        for (String e : errors) if (e != null) throw new UserError(e);
        float cutoff = unknown.of(r);
        Evaluation ev = Evaluation.of(r.classes, names, truth, answers.probs(), answers.scores(), cutoff);
        System.out.println("accuracy " + ev.metrics().accuracyLine() + String.format(java.util.Locale.ROOT,
                ", macro F1 %.3f, %d misclassified", ev.metrics().macroF1(), ev.misclassified().size()));
        for (Evaluation.Prediction p : ev.misclassified()) {
            System.out.println("  " + p.file() + ": " + r.classes.get(p.truth()) + ", predicted " + r.classes.get(p.predicted())
                    + String.format(java.util.Locale.ROOT, " (%.3f)", p.probability()));
        }

        Path modelDir = java.nio.file.Files.isDirectory(model.path) ? model.path : model.path.toAbsolutePath().getParent();
        Path dir = out != null ? out : modelDir.resolve("evaluation");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("command", "evaluate");
        metrics.put("model", model.path.toString());
        metrics.put("data", data.toString());
        metrics.put("split", split.toString());
        metrics.putAll(ev.toJson(""));
        metrics.put("seconds", phases.toJson());
        metrics.put("environment", Report.environment());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("model", model.path + " (" + r.card.architecture().id + " alpha=" + r.card.alpha() + " size=" + r.card.inputSize()
                + ", cut " + r.card.cutLayer() + ")");
        facts.put("data", data + ", " + split + ": " + samples.size() + " images");
        facts.put("seconds", phases.line());
        facts.put("environment", Report.environment().get("kernels") + ", JDK " + Runtime.version());
        Report.write(dir, metrics, "# Face recogniser: evaluation\n\n" + Report.factsMarkdown("Run", facts)
                + Report.evaluationMarkdown("Results", ev) + "![confusion matrix](confusion.png)\n", ev, List.of(), 0);
        System.out.println("reports written to " + dir);
        return Cli.OK;
    }

    /** The images to evaluate: all, or one part of the split recorded in the model card. */
    private List<Sample> select(Dataset dataset, Recogniser r) {
        if (split == Part.ALL) return dataset.samples();
        Split.Part part = split == Part.TEST ? Split.Part.TEST : Split.Part.VAL;
        Map<String, Object> t = r.card.training();
        if (!(t.get("split_val") instanceof Number v && t.get("split_test") instanceof Number f
                && t.get("split_seed") instanceof Number seed)) {
            throw UserError.about(model.path, "the model does not record its split; use --split all");
        }
        return Split.of(dataset, new Split.Config(v.doubleValue(), f.doubleValue(), seed.longValue())).samples(part);
    }
}
