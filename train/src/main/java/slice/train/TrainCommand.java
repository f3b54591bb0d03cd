package slice.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import slice.engine.Tensor;
import slice.engine.optim.Loss;
import slice.models.ModelSpec;
import slice.train.data.Augmentation;
import slice.train.data.CachedFeatures;
import slice.train.data.Dataset;
import slice.train.data.FeatureCache;
import slice.train.data.Hashes;
import slice.train.data.Progress;
import slice.train.data.Sample;
import slice.train.data.Split;
import slice.weights.io.SliceCache;
import slice.weights.KerasImport;
import slice.weights.ModelCard;
import slice.weights.SavedModel;
import slice.weights.io.AtomicFiles;

/**
 * {@code train}: a folder of faces in, a recogniser out.
 * <ol>
 *   <li>scan the folder (one sub-folder per person), split it stably into train / validation / test;</li>
 *   <li>build the backbone, load its ImageNet weights, cut it; compute the activations at the cached layer once per
 *       image (and augmented copy) into the feature cache;</li>
 *   <li>train the head (and the fine-tuned layers) on them: {@link Trainer}, checkpoint each epoch, resumable;</li>
 *   <li>fit the {@link UnknownScore} (per-person centroids of the training embeddings), calibrate its threshold on
 *       validation, measure the test set, save the model (centroids included) and the reports.</li>
 * </ol>
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Train a face recogniser on a folder with one sub-folder of photos per person.",
                "Writes DIR/model.safetensors + model.json, metrics.json, report.md, curves.png, confusion.png.",
                "Re-running into the same --out continues an interrupted run from its last finished epoch."},
        footer = {"", "Examples:", "  java -jar train.jar train --data faces --out face-model",
                "  java -jar train.jar train --data faces --model mobilenetv2 --alpha 1.0 --fine-tune-from block_13_expand_relu \\",
                "      --weights mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5 --augment 4 --out face-model"})
final class TrainCommand extends Cli.Task {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of faces: one sub-folder per person.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "face-model", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "mobilenetv2", description = "mobilenetv2 or inceptionv3 (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5", description = "MobileNetV2 width: 0.35, 0.5, 0.75, 1.0, 1.3, 1.4 (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--size", paramLabel = "S", description = "Input size in pixels (default: 224 for MobileNetV2, 299 for InceptionV3).")
    Integer size;

    @Option(names = "--weights", paramLabel = "FILE|auto", defaultValue = "auto",
            description = "Keras ImageNet weights (.h5) of the backbone; auto = the official file, downloaded once into the cache (default).")
    String weightsOption;

    @Option(names = "--cut", paramLabel = "LAYER", description = "Backbone layer the head sits on (default: the pooled features; e.g. mixed8).")
    String cut;

    @Option(names = "--fine-tune-from", paramLabel = "LAYER", description = "Also train every backbone layer after LAYER (e.g. block_13_expand_relu).")
    String fineTuneFrom;

    @Option(names = "--augment", paramLabel = "K", defaultValue = "0", description = "Augmented copies per training image: crop, flip, brightness, contrast (default: ${DEFAULT-VALUE}).")
    int augment;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30", description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "5", description = "Stop after N epochs without a lower validation loss; keep the best (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.001", description = "Peak learning rate, cosine decay after a warm-up (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam", description = "adam or sgd (Nesterov momentum 0.9) (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0.1", description = "Label smoothing (default: ${DEFAULT-VALUE}).")
    float labelSmoothing;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "0", description = "Hidden units before the classifier, 0 for none (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.2", description = "Dropout after the hidden layer (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--val", paramLabel = "F", defaultValue = "0.1", description = "Validation fraction of each person (default: ${DEFAULT-VALUE}).")
    double val;

    @Option(names = "--test", paramLabel = "F", defaultValue = "0.2", description = "Test fraction of each person (default: ${DEFAULT-VALUE}).")
    double test;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the split, initialisation, shuffling, augmentation, dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Require a checkpoint in --out and continue it (a re-run continues one anyway).")
    boolean resume;

    @Option(names = "--cache", paramLabel = "DIR", description = "Feature cache folder (default: $SLICE_CACHE/features or ~/.cache/slice/features).")
    Path cache;

    static final String CHECKPOINT = "checkpoint.safetensors", MODEL = "model.safetensors";

    @Override protected int run() throws Exception {
        Phases phases = new Phases();
        ModelSpec spec = FaceModel.spec(model, alpha, size);
        Trainer.Config config = new Trainer.Config(epochs, batch, lr, optimizer.toLowerCase(Locale.ROOT), labelSmoothing, weightDecay, patience, seed);
        FaceModel.Head head = new FaceModel.Head(hidden, dropout);
        if (augment < 0) throw new UserError("--augment must be >= 0, got " + augment);
        if (!(val >= 0 && test > 0 && val + test < 1)) throw new UserError("--val and --test must be fractions with --test > 0 and val + test < 1");
        Path checkpoint = out.resolve(CHECKPOINT);
        if (resume && !Files.exists(checkpoint)) throw UserError.about(out, "nothing to resume: no " + CHECKPOINT + " here");

        Dataset dataset = phases.time("scan", () -> Dataset.scan(data));
        dataset.warning().ifPresent(System.err::println);
        Path weights = WeightsCommand.resolve(weightsOption, spec, null);
        Split split = Split.of(dataset, new Split.Config(val, test, seed));
        List<Sample> trainSet = split.samples(Split.Part.TRAIN), valSet = split.samples(Split.Part.VAL), testSet = split.samples(Split.Part.TEST);
        List<String> classes = dataset.classes();
        System.err.printf(Locale.ROOT, "data: %d people, %d images: %d train, %d validation, %d test%n", classes.size(),
                dataset.samples().size(), trainSet.size(), valSet.size(), testSet.size());

        if (valSet.isEmpty()) {
            System.err.println("warning: no validation images (--val " + val + "): early stopping watches the training loss,"
                    + " and no unknown threshold is calibrated");
        }
        FaceModel faces = FaceModel.build(spec, cut, fineTuneFrom, head, classes.size(), seed);
        String weightsSha = Hashes.sha256Hex(weights);
        System.err.println("weights: " + phases.time("weights", () -> KerasImport.load(weights, faces.backbone())));

        Path cacheDir = cache != null ? cache : SliceCache.standard().features();
        FeatureCache featureCache = new FeatureCache(cacheDir,
                new FeatureCache.Spec(FaceModel.describe(spec), weightsSha, faces.cacheKey(), spec.size(), spec.preprocessing()),
                augment > 0 ? Augmentation.faces(seed) : null);
        Features extraction = new Features(faces.extractor);
        CachedFeatures trainF = phases.time("features", () -> featureCache.features(trainSet, augment + 1, extraction, extraction.batch, progress("train")));
        CachedFeatures valF = phases.time("features", () -> featureCache.features(valSet, 1, extraction, extraction.batch, progress("val")));
        CachedFeatures testF = phases.time("features", () -> featureCache.features(testSet, 1, extraction, extraction.batch, progress("test")));
        extraction.release();
        System.err.printf(Locale.ROOT, "features at %s: %d images%s ready in %.1f s (cache %s)%n", faces.cacheKey(), dataset.samples().size(),
                augment > 0 ? " + " + augment * trainSet.size() + " augmented" : "", (Double) phases.toJson().get("features"), cacheDir);

        String run = runDescription(spec, weightsSha, faces, config, dataset, split);
        if (Files.exists(checkpoint)) System.err.println("resuming the run checkpointed in " + checkpoint);
        Trainer trainer = new Trainer(faces.trainable, config);
        Trainer.Result result = phases.time("training", () -> trainer.fit(Samples.of(trainF), Samples.of(valF), checkpoint, run,
                s -> System.out.println(s.line(epochs))));
        System.out.printf(Locale.ROOT, "best epoch %d of %d (validation loss %.4f)%n", result.bestEpoch(), result.history().size(),
                result.history().get(result.bestEpoch() - 1).valLoss());

        UnknownScore unknown = phases.time("evaluation", () -> UnknownScore.fit(trainer.activations(Samples.of(trainF), batch, faces.embedding),
                Trainer.labelsOf(Samples.of(trainF)), classes.size(), faces.full.layer(faces.embedding).outputSize()));
        float[] valProbs = phases.time("evaluation", () -> probabilities(trainer, Samples.of(valF), classes.size()));
        float[] testProbs = phases.time("evaluation", () -> probabilities(trainer, Samples.of(testF), classes.size()));
        float[] valScores = phases.time("evaluation", () -> unknown.scores(valProbs, trainer.activations(Samples.of(valF), batch, faces.embedding), valSet.size()));
        float[] testScores = phases.time("evaluation", () -> unknown.scores(testProbs, trainer.activations(Samples.of(testF), batch, faces.embedding), testSet.size()));
        int[] valLabels = Trainer.labelsOf(Samples.of(valF)), testLabels = Trainer.labelsOf(Samples.of(testF));
        float threshold = UnknownThreshold.calibrate(valScores, valProbs, classes.size(), valLabels);
        Evaluation valEval = Evaluation.of(classes, names(valSet), valLabels, valProbs, valScores, threshold);
        Evaluation testEval = Evaluation.of(classes, names(testSet), testLabels, testProbs, testScores, threshold);
        System.out.println("test accuracy " + testEval.metrics().accuracyLine()
                + (valSet.isEmpty() ? "" : ", validation " + valEval.metrics().accuracyLine()));
        System.out.printf(Locale.ROOT, "unknown threshold %.3f (keeps %.0f %% of correct validation answers; answers unknown for %.1f %% of validation, %.1f %% of test)%n",
                threshold, 100 * UnknownThreshold.KEEP, 100 * valEval.unknownRate(), 100 * testEval.unknownRate());

        Map<String, Object> card = cardTraining(threshold, weights, weightsSha, result, testEval);
        phases.time("saving", () -> {
            SavedModel.save(out.resolve(MODEL), faces.full, unknown.tensors(), new ModelCard(spec.architecture().id, Double.parseDouble(Float.toString(spec.alpha())),
                    spec.size(), faces.cut, classes, spec.preprocessing().describe(), card));
            return null;
        });
        writeReports(spec, faces, classes, dataset, split, threshold, result, valEval, testEval, phases);
        System.out.println("model written to " + out.resolve(MODEL) + "; report in " + out.resolve("report.md"));
        return Cli.OK;
    }

    /** A progress bar with rate and ETA on a terminal; nothing when stderr is a log file (a bar there is one endless line). */
    private static Progress progress(String part) {
        return System.console() != null ? Progress.bar("features " + part) : Progress.none();
    }

    /** What the model card records of this run: the head, the unknown threshold, the backbone weights, the split. */
    private Map<String, Object> cardTraining(float threshold, Path weights, String weightsSha, Trainer.Result result, Evaluation testEval) {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("head_hidden", hidden);
        training.put("head_dropout", (double) dropout);
        training.put("fine_tune_from", fineTuneFrom);
        training.put("unknown_score", UnknownScore.NAME);
        training.put("unknown_threshold", (double) threshold);
        training.put("backbone_weights", weights.getFileName().toString());
        training.put("backbone_weights_sha256", weightsSha);
        training.put("split_val", val);
        training.put("split_test", test);
        training.put("split_seed", seed);
        training.put("best_epoch", result.bestEpoch());
        training.put("test_accuracy", testEval.metrics().accuracy());
        return training;
    }

    /** {@code metrics.json}, {@code report.md}, {@code curves.png}, {@code confusion.png}. */
    private void writeReports(ModelSpec spec, FaceModel faces, List<String> classes, Dataset dataset, Split split, float threshold,
                              Trainer.Result result, Evaluation valEval, Evaluation testEval, Phases phases) throws java.io.IOException {
        int[] counts = split.counts();
        Map<String, Object> images = new LinkedHashMap<>();
        images.put("train", counts[Split.Part.TRAIN.ordinal()]);
        images.put("val", counts[Split.Part.VAL.ordinal()]);
        images.put("test", counts[Split.Part.TEST.ordinal()]);
        images.put("skipped", dataset.skipped().size());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("command", "train");
        metrics.put("model", FaceModel.describe(spec) + " cut " + faces.cut + (fineTuneFrom != null ? ", fine-tuned from " + fineTuneFrom : ""));
        metrics.put("data", data.toString());
        metrics.put("classes", classes.size());
        metrics.put("images", images);
        metrics.put("unknown_score", UnknownScore.NAME);
        metrics.put("unknown_threshold", threshold);
        metrics.putAll(testEval.toJson("test_"));
        metrics.putAll(valEval.toJson("val_"));
        metrics.put("best_epoch", result.bestEpoch());
        metrics.put("epochs", Report.epochsJson(result.history()));
        metrics.put("seconds", phases.toJson());
        metrics.put("environment", Report.environment());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data", data + " — " + classes.size() + " people; " + images.get("train") + " train, " + images.get("val")
                + " validation, " + images.get("test") + " test images");
        facts.put("model", metrics.get("model") + ", head " + (hidden > 0 ? hidden + " hidden, dropout " + dropout : "linear"));
        facts.put("training", String.format(Locale.ROOT, "%s lr %s, batch %d, label smoothing %s, augment %d, seed %d; best epoch %d of %d",
                optimizer, lr, batch, labelSmoothing, augment, seed, result.bestEpoch(), result.history().size()));
        facts.put("unknown", String.format(Locale.ROOT, "'unknown' below score %.3f (%s), calibrated to keep %.0f %% of correct"
                + " validation answers; answers unknown for %.1f %% of validation and %.1f %% of test images", threshold, UnknownScore.NAME,
                100 * UnknownThreshold.KEEP, 100 * valEval.unknownRate(), 100 * testEval.unknownRate()));
        facts.put("seconds", phases.line());
        facts.put("environment", Report.environment().get("kernels") + ", JDK " + Runtime.version());
        String markdown = "# Face recogniser: training report\n\n" + Report.factsMarkdown("Run", facts)
                + Report.evaluationMarkdown("Test set", testEval) + "![confusion matrix](confusion.png)\n\n"
                + Report.epochsMarkdown(result.history(), result.bestEpoch());
        Report.write(out, metrics, markdown, testEval, result.history(), result.bestEpoch());
        AtomicFiles.writeString(out.resolve("split.tsv"), splitTable(dataset, classes, split));
    }

    /**
     * Which file went where, one line per image ({@code path<TAB>person<TAB>train|val|test}): what a peer (the PyTorch
     * recipe in {@code train/peer}) reads to train and test on exactly the same images.
     */
    private static String splitTable(Dataset dataset, List<String> classes, Split split) {
        StringBuilder table = new StringBuilder("# path\tperson\tpart\n");
        for (int i = 0; i < dataset.samples().size(); i++) {
            Sample s = dataset.samples().get(i);
            table.append(s.file().toAbsolutePath()).append('\t').append(classes.get(s.label())).append('\t')
                    .append(split.part(i).name().toLowerCase(Locale.ROOT)).append('\n');
        }
        return table.toString();
    }

    /** Everything that determines the trained weights: a checkpoint made with a different description is not resumed. */
    private String runDescription(ModelSpec spec, String weightsSha, FaceModel faces, Trainer.Config config, Dataset dataset, Split split) {
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < dataset.samples().size(); i++) {
            Sample s = dataset.samples().get(i);
            files.append(s.sha256()).append(' ').append(s.label()).append(' ').append(split.part(i)).append('\n');
        }
        return String.format(Locale.ROOT, "%s, weights %s, cut %s, fine-tune from %s, hidden %d, dropout %s, augment %d, %s, val %s, test %s, data %s",
                FaceModel.describe(spec), weightsSha.substring(0, 12), faces.cut, faces.fineTuneFrom, hidden, dropout, augment, config.describe(), val, test,
                Hashes.sha256Hex(files.toString()).substring(0, 12));
    }

    private float[] probabilities(Trainer trainer, Samples samples, int classes) {
        Tensor p = Tensor.wrap(trainer.logits(samples, batch), samples.size(), classes);
        Loss.softmax(p, p);
        return p.data;
    }

    private static List<String> names(List<Sample> samples) {
        List<String> names = new ArrayList<>();
        for (Sample s : samples) names.add(s.name());
        return names;
    }
}
