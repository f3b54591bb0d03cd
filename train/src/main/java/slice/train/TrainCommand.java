package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import slice.engine.Tensor;
import slice.engine.optim.Loss;
import slice.models.Architecture;
import slice.models.ModelSpec;
import slice.train.data.Augmentation;
import slice.train.data.CachedFeatures;
import slice.train.data.Dataset;
import slice.train.data.FaceIndex;
import slice.train.data.FeatureCache;
import slice.train.data.Hashes;
import slice.train.data.Progress;
import slice.train.data.Sample;
import slice.train.data.Split;
import slice.weights.io.SliceCache;
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
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true, defaultValueProvider = TrainCommand.Defaults.class,
        description = {"Train a face recogniser on a folder with one sub-folder of photos per person.",
                "Writes DIR/model.safetensors + model.json, metrics.json, report.md, curves.png, confusion.png.",
                "Re-running into the same --out continues an interrupted run from its last finished epoch."},
        footer = {"", "Defaults: face-resnet (dlib's face descriptor, head only, --lr 0.01): the most accurate recipe measured",
                "on AT&T, LFW and LFW in scenes, and the fastest (README, \"Which recipe is the default\").", "",
                "Examples:", "  java -jar train.jar train --data faces --out face-model",
                "  java -jar train.jar train --data faces --model mobilenetv2 --alpha 1.0 --fine-tune-from block_13_expand_relu \\",
                "      --weights mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5 --augment 4 --out face-model"})
final class TrainCommand extends Cli.Task {
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Folder of faces: one sub-folder per person.")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "face-model",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin Options.Backbone backbone;

    @Mixin Options.Weights weights;

    @Option(names = "--faces", paramLabel = "MODE", defaultValue = "detect",
            description = "whole: each photo is one face, stretched to the input size; detect: find the faces (face-api.js's"
                    + " detector and landmarks), use each photo's largest, aligned; photos without one are skipped"
                    + " (default: ${DEFAULT-VALUE}).")
    Framing.Mode faces;

    @Option(names = "--face-margin", paramLabel = "M",
            description = "With --faces detect and an ImageNet backbone: view around the aligned face, as a fraction of the tight"
                    + " face crop on each side (default: 0.25). face-resnet frames faces as dlib does and takes no margin.")
    Double faceMargin;

    @Mixin FaceOptions faceModels;

    @Option(names = "--cut", paramLabel = "LAYER",
            description = "Backbone layer the head sits on (default: the pooled features; e.g. mixed8).")
    String cut;

    @Option(names = "--fine-tune-from", paramLabel = "LAYER",
            description = "Also train every backbone layer after LAYER (e.g. block_13_expand_relu).")
    String fineTuneFrom;

    @Option(names = "--augment", paramLabel = "K", defaultValue = "0",
            description = "Augmented copies per training image: crop, flip, brightness, contrast (default: ${DEFAULT-VALUE}).")
    int augment;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "30",
            description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "5",
            description = "Stop after N epochs without a lower validation loss; keep the best (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "X",
            description = "Peak learning rate, cosine decay after a warm-up (default: per backbone: 0.01 for face-resnet, whose"
                    + " features are small numbers; 0.001 for mobilenetv2 and inceptionv3).")
    Float lr;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "adam or sgd (Nesterov momentum 0.9) (default: ${DEFAULT-VALUE}).")
    Trainer.OptimizerKind optimizer;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0",
            description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0.1",
            description = "Label smoothing (default: ${DEFAULT-VALUE}).")
    float labelSmoothing;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "0",
            description = "Hidden units before the classifier, 0 for none (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.2",
            description = "Dropout after the hidden layer (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--val", paramLabel = "F", defaultValue = "0.1",
            description = "Validation fraction of each person (default: ${DEFAULT-VALUE}).")
    double val;

    @Option(names = "--test", paramLabel = "F", defaultValue = "0.2",
            description = "Test fraction of each person (default: ${DEFAULT-VALUE}).")
    double test;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the split, initialisation, shuffling, augmentation, dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume",
            description = "Require a checkpoint in --out and continue it (a re-run continues one anyway).")
    boolean resume;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Feature cache folder (default: $SLICE_CACHE/features or ~/.cache/slice/features).")
    Path cache;

    static final String CHECKPOINT = "checkpoint.safetensors", MODEL = "model.safetensors";
    /** Why a photo without a face is skipped. */
    static final String NO_FACE = "no face found";

    /** Where the faces are, with {@code --faces detect}; null for whole photos. */
    private FaceIndex faceIndex;
    /** Says before extraction and training how long they will take. */
    private final RunEstimate estimate = new RunEstimate(System.err);
    /** The first epoch this run trained (later than 1 when resumed); the estimate uses the next one, past compiling. */
    private int firstEpoch;
    /** The training loop's options, the learning rate resolved ({@link #defaultLearningRate}). */
    private Trainer.Config config;

    /**
     * {@code train}'s defaults that differ from the other commands': the face-resnet backbone, and for MobileNetV2 the
     * narrower α 0.5.
     */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (!(arg instanceof CommandLine.Model.OptionSpec o)) return null;
            return switch (o.longestName()) {
                case "--alpha" -> "0.5";
                case "--model" -> Architecture.FACE_RESNET.id;
                default -> null;
            };
        }
    }

    /**
     * The peak learning rate when {@code --lr} is not given: 0.01 for face-resnet, whose 256 pooled features are small
     * numbers (the head learns too slowly at 0.001: README, "Which recipe is the default"), 0.001 for the ImageNet backbones.
     */
    static float defaultLearningRate(Architecture architecture) {
        return architecture == Architecture.FACE_RESNET ? 0.01f : 0.001f;
    }

    /** The images of the run: the folder, its split, and the three parts. */
    private record Data(Dataset dataset, Split split, List<Sample> train, List<Sample> val, List<Sample> test) {
        List<String> classes() {
            return dataset.classes();
        }
    }

    /**
     * The cached activations of the three parts (the training part with its augmented copies), held in memory when
     * together they take at most a quarter of the heap ({@link Samples#held}).
     */
    private record CachedSets(Samples train, Samples val, Samples test) {
        static CachedSets of(CachedFeatures train, CachedFeatures val, CachedFeatures test) {
            long bytes = 0;
            for (CachedFeatures f : List.of(train, val, test)) bytes += 4L * f.size() * f.copies() * f.sampleSize();
            long budget = bytes <= Runtime.getRuntime().maxMemory() / 4 ? bytes : 0;
            return new CachedSets(Samples.held(train, budget), Samples.held(val, budget), Samples.held(test, budget));
        }
    }

    /** What the trained model answers: its unknown score and calibrated threshold, and the measured sets. */
    private record Outcome(UnknownScore unknown, float threshold, Evaluation val, Evaluation test) { }

    @Override protected int run() throws Exception {
        Phases phases = new Phases();
        ModelSpec spec = backbone.spec();
        float peakLr = lr != null ? lr : defaultLearningRate(spec.architecture());
        config = worded(() -> new Trainer.Config(epochs, batch, peakLr, optimizer, labelSmoothing, weightDecay, patience, seed));
        FaceModel.Head head = worded(() -> new FaceModel.Head(hidden, dropout));
        checkOptions();
        Framing framing = Framing.of(faces, faceMargin(spec));
        try (FolderLock lock = FolderLock.acquire(out, "--out")) {
            return train(phases, spec, head, framing);
        }
    }

    /** The run itself, with {@code --out} locked against other writers. */
    private int train(Phases phases, ModelSpec spec, FaceModel.Head head, Framing framing) throws Exception {
        SavedModel.finishInterruptedSave(out.resolve(MODEL));
        Dataset scanned = phases.time("scan", () -> Dataset.scan(data));
        BackboneWeights backboneWeights = weights.resolve(spec, faceModels);
        Path cacheDir = cache != null ? cache : SliceCache.standard().features();
        faceIndex = framing.index(faceModels, spec, cacheDir.resolve("faces"));
        Dataset dataset = phases.time("faces", () -> locateFaces(scanned, faceIndex));
        dataset.warning().ifPresent(System.err::println);
        Data d = split(dataset);
        FaceModel faces = worded(() -> FaceModel.build(spec, cut, fineTuneFrom, head, d.classes().size(), seed));
        String weightsSha = backboneWeights.sha256();
        System.err.println("weights: " + phases.time("weights", () -> backboneWeights.loadInto(faces.backbone())));
        CachedSets features = extractFeatures(spec, faces, weightsSha, d, faceIndex, cacheDir, phases);
        Trainer trainer = new Trainer(faces.trainable, config);
        RunIdentity run = runIdentity(spec, weightsSha, faces, config, d).with("faces", framing.toString());
        Trainer.Result result = phases.time("training", () -> fit(trainer, features, run));
        Outcome outcome = phases.time("evaluation", () -> evaluate(trainer, faces, d, features));
        printOutcome(outcome, d);
        Map<String, Object> training = cardTraining(outcome.threshold, backboneWeights.file(), weightsSha, result, outcome.test);
        training.putAll(framing.toCard());
        phases.time("saving", () -> save(faces, d, outcome, training));
        writeReports(spec, faces, d, outcome, result, phases);
        System.out.println("model written to " + out.resolve(MODEL) + "; report in " + out.resolve("report.md"));
        return Cli.OK;
    }

    /** {@code body}, its {@link InvalidSetting} reworded with the option that set it: {@code --epochs must be …}. */
    private static <T> T worded(Supplier<T> body) {
        try {
            return body.get();
        } catch (InvalidSetting e) {
            throw new UserError(option(e.setting) + e.problem);
        }
    }

    /** The option that sets {@code setting}. */
    private static String option(InvalidSetting.Setting setting) {
        return switch (setting) {
            case EPOCHS -> "--epochs";
            case BATCH -> "--batch";
            case LEARNING_RATE -> "--lr";
            case LABEL_SMOOTHING -> "--label-smoothing";
            case WEIGHT_DECAY -> "--weight-decay";
            case PATIENCE -> "--patience";
            case HIDDEN_UNITS -> "--hidden";
            case DROPOUT -> "--dropout";
            case CUT_LAYER -> "--cut";
            case FINE_TUNE_LAYER -> "--fine-tune-from";
            case INPUT_SIZE -> "--size";
        };
    }

    /**
     * {@code --face-margin}, or its default: 0.25 of the tight crop for the ImageNet backbones' alignment; 0 for
     * face-resnet, which sees the face as dlib's square box frames it ({@link Framing#index}) — asking face-resnet for a
     * margin is refused rather than silently ignored.
     */
    private double faceMargin(ModelSpec spec) {
        if (spec.architecture() != Architecture.FACE_RESNET) return faceMargin != null ? faceMargin : Framing.DEFAULT_MARGIN;
        if (faceMargin != null) {
            throw new UserError("--face-margin does not apply to face-resnet: it frames each face as face-api's describer does"
                    + " (dlib's square box from the 68 landmarks); leave it out, or choose --model mobilenetv2 or inceptionv3");
        }
        return 0;
    }

    /**
     * The options no domain object checks: output folders that cannot be folders, augmentation, split fractions, and
     * {@code --resume} needing a checkpoint.
     */
    private void checkOptions() {
        Options.requireFolderPath(out, "--out");
        if (cache != null) Options.requireFolderPath(cache, "--cache");
        if (augment < 0) throw new UserError("--augment must be >= 0, got " + augment);
        if (!(val >= 0 && test > 0 && val + test < 1)) {
            throw new UserError("--val and --test must be fractions with --test > 0 and val + test < 1");
        }
        if (resume && !Files.exists(out.resolve(CHECKPOINT))) throw UserError.about(out, "nothing to resume: no " + CHECKPOINT + " here");
    }

    /**
     * With {@code --faces detect}: finds each photo's face, leaves out (and lists) the photos without one, and says how
     * many had several (the largest is used). Without: the data set as scanned.
     */
    private static Dataset locateFaces(Dataset scanned, FaceIndex index) {
        if (index == null) return scanned;
        Dataset located = scanned.without(index.locate(scanned.samples()), NO_FACE);
        System.err.printf(Locale.ROOT, "faces: found in %d of %d photos; %d photos have several (the largest is used)%n",
                located.samples().size(), scanned.samples().size(), index.photosWithSeveralFaces());
        return located;
    }

    /** Splits the folder stably into train / validation / test, and says how many images each part has. */
    private Data split(Dataset dataset) {
        Split split = Split.of(dataset, new Split.Config(val, test, seed));
        Data d = new Data(dataset, split, split.samples(Split.Part.TRAIN), split.samples(Split.Part.VAL), split.samples(Split.Part.TEST));
        System.err.printf(Locale.ROOT, "data: %d people, %d images: %d train, %d validation, %d test%n", d.classes().size(),
                dataset.samples().size(), d.train.size(), d.val.size(), d.test.size());
        if (d.val.isEmpty()) {
            System.err.println("warning: no validation images (--val " + val + "): early stopping watches the training loss,"
                    + " and no unknown threshold is calibrated");
        }
        return d;
    }

    /** The activations at the cached layer of every image (and augmented copy), computed once into the feature cache. */
    private CachedSets extractFeatures(ModelSpec spec, FaceModel faces, String weightsSha, Data d, FaceIndex faceIndex, Path cacheDir,
                                       Phases phases) throws Exception {
        FeatureCache featureCache = new FeatureCache(cacheDir,
                new FeatureCache.Spec(FaceModel.describe(spec), weightsSha, faces.cacheKey(), spec.size(), spec.preprocessing()),
                augment > 0 ? Augmentation.faces(seed) : null, faceIndex);
        Features extraction = new Features(faces.extractor);
        Progress train = estimate.features(progress("train"), (long) d.train.size() * (augment + 1), d.val.size() + d.test.size());
        CachedFeatures trainF = phases.time("features", () -> featureCache.features(d.train, augment + 1, extraction, extraction.batch,
                train));
        CachedFeatures valF = phases.time("features", () -> featureCache.features(d.val, 1, extraction, extraction.batch, progress("val")));
        CachedFeatures testF = phases.time("features", () -> featureCache.features(d.test, 1, extraction, extraction.batch,
                progress("test")));
        extraction.release();
        System.err.printf(Locale.ROOT, "features at %s: %d images%s ready in %.1f s (cache %s)%n", faces.cacheKey(),
                d.dataset.samples().size(), augment > 0 ? " + " + augment * d.train.size() + " augmented" : "",
                (Double) phases.toJson().get("features"), cacheDir);
        return phases.time("features", () -> CachedSets.of(trainF, valF, testF));
    }

    /** Trains the head (and fine-tuned layers), continuing the checkpoint in {@code --out} if there is one. */
    private Trainer.Result fit(Trainer trainer, CachedSets features, RunIdentity run) {
        Path checkpoint = out.resolve(CHECKPOINT);
        if (Files.exists(checkpoint)) System.err.println("resuming the run checkpointed in " + checkpoint);
        Trainer.Result result = trainer.fit(features.train, features.val, checkpoint, run, s -> {
            System.out.println(s.line(epochs));
            if (firstEpoch == 0) firstEpoch = s.epoch();
            else if (s.epoch() == firstEpoch + 1) estimate.training(s.epoch(), epochs, s.seconds(), patience);
        });
        System.out.printf(Locale.ROOT, "best epoch %d of %d (validation loss %.4f)%n", result.bestEpoch(), result.history().size(),
                result.history().get(result.bestEpoch() - 1).valLoss());
        return result;
    }

    /**
     * Fits the {@link UnknownScore} to the training embeddings, calibrates its threshold on validation, and measures
     * the validation and test sets.
     */
    private Outcome evaluate(Trainer trainer, FaceModel faces, Data d, CachedSets features) {
        Samples trainF = features.train, valF = features.val, testF = features.test;
        int classes = d.classes().size();
        UnknownScore unknown = UnknownScore.fit(trainer.activations(trainF, batch, faces.embedding), Trainer.labelsOf(trainF), classes,
                faces.full.layer(faces.embedding).outputSize());
        float[] valProbs = probabilities(trainer, valF, classes, batch), testProbs = probabilities(trainer, testF, classes, batch);
        float[] valScores = unknown.scores(valProbs, trainer.activations(valF, batch, faces.embedding), d.val.size());
        float[] testScores = unknown.scores(testProbs, trainer.activations(testF, batch, faces.embedding), d.test.size());
        int[] valLabels = Trainer.labelsOf(valF), testLabels = Trainer.labelsOf(testF);
        float threshold = UnknownThreshold.calibrate(valScores, valProbs, classes, valLabels);
        return new Outcome(unknown, threshold, Evaluation.of(d.classes(), names(d.val), valLabels, valProbs, valScores, threshold),
                Evaluation.of(d.classes(), names(d.test), testLabels, testProbs, testScores, threshold));
    }

    private void printOutcome(Outcome o, Data d) {
        System.out.println("test accuracy " + o.test.metrics().accuracyLine()
                + (d.val.isEmpty() ? "" : ", validation " + o.val.metrics().accuracyLine()));
        System.out.printf(Locale.ROOT, "unknown threshold %.3f (keeps %.0f %% of correct validation answers;"
                + " answers unknown for %.1f %% of validation, %.1f %% of test)%n",
                o.threshold, 100 * UnknownThreshold.KEEP, 100 * o.val.unknownRate(), 100 * o.test.unknownRate());
    }

    /** {@code model.safetensors} (the network and the unknown score's tensors) and its card {@code model.json}. */
    private Void save(FaceModel faces, Data d, Outcome outcome, Map<String, Object> training) {
        SavedModel.save(out.resolve(MODEL), faces.full, outcome.unknown.tensors(), faces.card(d.classes(), training));
        return null;
    }

    /** A progress bar with rate and ETA on a terminal; nothing when stderr is a log file (a bar there is one endless line). */
    private static Progress progress(String part) {
        return System.console() != null ? Progress.bar("features " + part) : Progress.none();
    }

    /**
     * What the model card records of this run: the head, the unknown threshold, the backbone weights, the split, and the
     * training loop's settings (with which {@code enroll} retrains the head).
     */
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
        training.put("lr", (double) config.lr());
        training.put("epochs", config.epochs());
        training.put("batch", config.batch());
        training.put("patience", config.patience());
        training.put("optimizer", config.optimizer().toString());
        training.put("label_smoothing", (double) config.labelSmoothing());
        training.put("weight_decay", (double) config.weightDecay());
        training.put("best_epoch", result.bestEpoch());
        training.put("test_accuracy", testEval.metrics().accuracy());
        return training;
    }

    /** {@code metrics.json}, {@code report.md}, {@code curves.png}, {@code confusion.png}, {@code split.tsv}. */
    private void writeReports(ModelSpec spec, FaceModel faces, Data d, Outcome o, Trainer.Result result, Phases phases) throws IOException {
        int[] counts = d.split.counts();
        Map<String, Object> images = new LinkedHashMap<>();
        images.put("train", counts[Split.Part.TRAIN.ordinal()]);
        images.put("val", counts[Split.Part.VAL.ordinal()]);
        images.put("test", counts[Split.Part.TEST.ordinal()]);
        images.put("skipped", d.dataset.skipped().size());
        if (faceIndex != null) {
            images.put("without_a_face", d.dataset.skipped().stream().filter(k -> k.reason().equals(NO_FACE)).count());
            images.put("with_several_faces", faceIndex.photosWithSeveralFaces());
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("command", "train");
        String fineTuned = fineTuneFrom != null ? ", fine-tuned from " + fineTuneFrom : "";
        metrics.put("model", FaceModel.describe(spec) + " cut " + faces.cut + fineTuned);
        metrics.put("data", data.toString());
        metrics.put("classes", d.classes().size());
        metrics.put("images", images);
        metrics.put("unknown_score", UnknownScore.NAME);
        metrics.put("unknown_threshold", o.threshold);
        metrics.putAll(o.test.toJson("test_"));
        metrics.putAll(o.val.toJson("val_"));
        metrics.put("best_epoch", result.bestEpoch());
        metrics.put("epochs", result.history());
        metrics.put("seconds", phases.toJson());
        metrics.put("environment", Report.environment());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("data", data + " — " + d.classes().size() + " people; " + images.get("train") + " train, " + images.get("val")
                + " validation, " + images.get("test") + " test images" + (faceIndex == null ? "" : "; faces detected and aligned ("
                + images.get("without_a_face") + " photos without a face skipped, " + images.get("with_several_faces")
                + " with several: the largest used)"));
        facts.put("model", metrics.get("model") + ", head " + (hidden > 0 ? hidden + " hidden, dropout " + dropout : "linear"));
        facts.put("training", String.format(Locale.ROOT, "%s lr %s, batch %d, label smoothing %s, augment %d, seed %d; best epoch %d of %d",
                optimizer, config.lr(), batch, labelSmoothing, augment, seed, result.bestEpoch(), result.history().size()));
        facts.put("unknown", String.format(Locale.ROOT, "'unknown' below score %.3f (%s), calibrated to keep %.0f %% of correct"
                + " validation answers; answers unknown for %.1f %% of validation and %.1f %% of test images", o.threshold,
                UnknownScore.NAME, 100 * UnknownThreshold.KEEP, 100 * o.val.unknownRate(), 100 * o.test.unknownRate()));
        facts.put("seconds", phases.line());
        facts.put("environment", Report.environment().get("kernels") + ", JDK " + Runtime.version());
        String markdown = "# Face recogniser: training report\n\n" + Report.factsMarkdown("Run", facts)
                + Report.evaluationMarkdown("Test set", o.test) + "![confusion matrix](confusion.png)\n\n"
                + Report.epochsMarkdown(result.history(), result.bestEpoch());
        Report.write(out, metrics, markdown, o.test, result.history(), result.bestEpoch());
        AtomicFiles.writeString(out.resolve("split.tsv"), splitTable(d.dataset, d.classes(), d.split));
    }

    /**
     * Which file went where, one line per image ({@code path<TAB>person<TAB>train|val|test}), UTF-8, each field
     * {@link #tsvField escaped}: what a peer (the PyTorch recipe in {@code train/peer}) reads to train and test on exactly
     * the same images.
     */
    static String splitTable(Dataset dataset, List<String> classes, Split split) {
        StringBuilder table = new StringBuilder("# path\tperson\tpart\n");
        for (int i = 0; i < dataset.samples().size(); i++) {
            Sample s = dataset.samples().get(i);
            table.append(tsvField(s.file().toAbsolutePath().toString())).append('\t').append(tsvField(classes.get(s.label())))
                    .append('\t').append(split.part(i).name().toLowerCase(Locale.ROOT)).append('\n');
        }
        return table.toString();
    }

    /** {@code text} as a field of a tab-separated line: backslash, tab, newline and return written {@code \\ \t \n \r}. */
    static String tsvField(String text) {
        StringBuilder field = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> field.append("\\\\");
                case '\t' -> field.append("\\t");
                case '\n' -> field.append("\\n");
                case '\r' -> field.append("\\r");
                default -> field.append(c);
            }
        }
        return field.toString();
    }

    /** Everything that determines the trained weights: a checkpoint of a run with another identity is not resumed. */
    private RunIdentity runIdentity(ModelSpec spec, String weightsSha, FaceModel faces, Trainer.Config config, Data d) {
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < d.dataset.samples().size(); i++) {
            Sample s = d.dataset.samples().get(i);
            files.append(s.sha256()).append(' ').append(s.label()).append(' ').append(d.split.part(i)).append('\n');
        }
        RunIdentity model = RunIdentity.EMPTY.with("backbone", FaceModel.describe(spec)).with("weights", weightsSha.substring(0, 12))
                .with("cut", faces.cut).with("fine-tune from", faces.fineTuneFrom).with("hidden", hidden).with("dropout", dropout)
                .with("augment", augment);
        return config.identify(model).with("val", val).with("test", test).with("data", Hashes.sha256Hex(files.toString()).substring(0, 12));
    }

    /** The head's class probabilities for every sample, row by row: softmax of the logits. */
    static float[] probabilities(Trainer trainer, Samples samples, int classes, int batch) {
        Tensor p = Tensor.wrap(trainer.logits(samples, batch), samples.size(), classes);
        Loss.softmax(p, p);
        return p.data;
    }

    /** The samples' file names, in order. */
    static List<String> names(List<Sample> samples) {
        List<String> names = new ArrayList<>();
        for (Sample s : samples) names.add(s.name());
        return names;
    }
}
