package slice.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import slice.engine.Graph;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.models.ModelSpec;
import slice.train.data.FaceIndex;
import slice.train.data.FeatureCache;
import slice.train.data.Hashes;
import slice.train.data.Progress;
import slice.train.data.Sample;
import slice.train.data.Split;
import slice.weights.ModelCard;
import slice.weights.SavedModel;
import slice.weights.io.AtomicFiles;

/**
 * {@code enroll} into a folder written by {@code train}: the new photos join the head's training data (a new person
 * becomes a new class, last), and the head alone — nothing of the backbone — is trained again, as {@code train} trained
 * it, on the features of every photo.
 *
 * <ul>
 *   <li><b>The old photos</b> are those {@code split.tsv} records (path, person, part), as they are on disk now: the
 *       training part trains, the validation part stops early and calibrates the unknown threshold, the test part is
 *       measured and reported. Photos that are gone are left out, said in one line; a person left without a training
 *       photo is refused.</li>
 *   <li><b>The new photos</b> (the largest face of each, framed as the card says) all join the training part.</li>
 *   <li><b>Features</b> come from the feature cache under the key {@code train} used (same backbone, weights hash, cached
 *       layer, face framing), so the old photos' are read, not computed, when the cache is the one {@code train} filled;
 *       the new photos' (and any missing) are computed by the model's own frozen backbone. For a fine-tuned model the
 *       cache holds the fine-tune layer and the model's fine-tuned layers turn it into the head's input.</li>
 *   <li><b>Training</b>: the head starts afresh (Glorot, the run's seed) with the optimiser settings the card records
 *       (older cards: {@code train}'s defaults), early stopping on validation loss as in {@link Trainer}.</li>
 *   <li><b>Writing</b>: {@code split.tsv} first (the truth about which photos the model learns from: a person in it
 *       that the model lacks is added at the next enrolment), then the model, atomically, as {@code train} saves it.
 *       {@code metrics.json} and the reports still describe the original training run.</li>
 * </ul>
 */
final class HeadEnrolment {
    static final String SPLIT = "split.tsv";

    private HeadEnrolment() { }

    /** One row of {@code split.tsv}. */
    record Row(Path file, String person, Split.Part part) { }

    /** What an enrolment did, for its summary line. */
    record Outcome(int added, int people, int trainPhotos, int computed, double seconds, double trainingSeconds, String testAccuracy) { }

    /**
     * Adds {@code photos} of {@code person} to the trained model in {@code dir} and retrains its head (see the class
     * comment); returns what it did. Every refusal is a {@link UserError} that leaves the folder as it was.
     */
    static Outcome enroll(Path dir, String person, List<Path> photos, FaceOptions faceModels, Path cacheDir, PrintStream out)
            throws IOException {
        long start = System.nanoTime();
        Path modelFile = dir.resolve(TrainCommand.MODEL);
        ModelCard card = SavedModel.readCard(modelFile);
        Map<String, Object> t = card.training();
        List<Row> rows = readSplit(dir.resolve(SPLIT));
        List<String> classes = new ArrayList<>(card.classNames());
        for (Row r : rows) if (!classes.contains(r.person)) classes.add(r.person);
        String name = existingName(classes, person);
        if (!classes.contains(name)) classes.add(name);

        List<Row> present = present(rows, dir, out);
        Map<String, Row> bySha = new HashMap<>();
        List<Sample> old = new ArrayList<>();
        for (Row r : present) {
            Sample s = new Sample(r.file, r.file.toString(), classes.indexOf(r.person), Hashes.sha256Hex(Files.readAllBytes(r.file)));
            old.add(s);
            bySha.put(s.sha256(), r);
        }
        List<Sample> added = new ArrayList<>();
        for (Path p : photos) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(p);
            } catch (IOException e) {
                throw UserError.about(p, Recogniser.problem(e) + " (nothing enrolled)");
            }
            String sha = Hashes.sha256Hex(bytes);
            Row known = bySha.get(sha);
            if (known != null || added.stream().anyMatch(s -> s.sha256().equals(sha))) {
                out.println(p + "\talready among the model's photos" + (known == null || known.person.equals(name) ? "" : " as " + known.person)
                        + ", skipped");
                continue;
            }
            added.add(new Sample(p, p.toString(), classes.indexOf(name), sha));
        }

        ModelSpec spec;
        try {
            spec = FaceModel.specOf(card);
        } catch (IllegalArgumentException e) {
            throw UserError.about(modelFile, e.getMessage());
        }
        Framing framing = Framing.fromCard(t, modelFile);
        FaceIndex faces = framing.index(faceModels, spec, cacheDir.resolve("faces"));
        if (faces != null) {
            List<Sample> noFace = faces.locate(added);
            for (Sample s : noFace) out.println(s.file() + "\tno face, skipped");
            added.removeAll(noFace);
            old.removeAll(faces.locate(old));
        }
        for (Sample s : added) out.println(s.file() + "\tadded");
        if (added.isEmpty()) throw UserError.about(dir, "nothing enrolled: no new photo of " + name + " with a face");

        List<Sample> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
        for (Sample s : old) {
            switch (bySha.get(s.sha256()).part) {
                case TRAIN -> train.add(s);
                case VAL -> val.add(s);
                case TEST -> test.add(s);
            }
        }
        train.addAll(added);
        int[] perPerson = new int[classes.size()];
        for (Sample s : train) perPerson[s.label()]++;
        for (int c = 0; c < classes.size(); c++) {
            if (perPerson[c] == 0) {
                throw UserError.about(dir.resolve(SPLIT), "no training photo of '" + classes.get(c) + "' is left: the head cannot learn"
                        + " them (train again, or enroll photos of them)");
            }
        }

        String fineTuneFrom = t.get("fine_tune_from") instanceof String f ? f : null;
        FaceModel.Head head;
        FaceModel saved, fresh;
        long seed = number(t, "split_seed", 1).longValue();
        try {
            head = new FaceModel.Head(number(t, "head_hidden", 0).intValue(), number(t, "head_dropout", 0).floatValue());
            saved = FaceModel.build(spec, card.cutLayer(), fineTuneFrom, head, card.classNames().size(), seed);
            fresh = FaceModel.build(spec, card.cutLayer(), fineTuneFrom, head, classes.size(), seed);
        } catch (IllegalArgumentException e) {
            throw UserError.about(modelFile, e.getMessage());
        }
        int dim = saved.full.layer(saved.embedding).outputSize();
        SavedModel.load(modelFile, saved.full, UnknownScore.empty(card.classNames().size(), dim).tensors());
        Graph headGraph = new Graph(fresh.full.layer(fresh.embedding), fresh.full.output());
        copyAllBut(saved.full, fresh.full, headGraph);

        if (!(t.get("backbone_weights_sha256") instanceof String weightsSha)) {
            throw UserError.about(SavedModel.sidecarOf(modelFile), "training.backbone_weights_sha256 is missing");
        }
        FeatureCache cache = new FeatureCache(cacheDir,
                new FeatureCache.Spec(FaceModel.describe(spec), weightsSha, fresh.cacheKey(), spec.size(), spec.preprocessing()), null, faces);
        Features extraction = new Features(fresh.extractor);
        int[] computed = {0};
        Progress counting = new Progress() {
            @Override public void start(long total) { computed[0] += (int) total; }
            @Override public void advance(long items) { }
            @Override public void finish() { }
        };
        Graph tail = fresh.fineTuneFrom == null ? null : new Graph(fresh.full.layer(fresh.fineTuneFrom), fresh.full.layer(fresh.embedding));
        Embeddings trainE = embeddings(cache.features(train, 1, extraction, extraction.batch, counting), tail, dim);
        Embeddings valE = embeddings(cache.features(val, 1, extraction, extraction.batch, counting), tail, dim);
        Embeddings testE = embeddings(cache.features(test, 1, extraction, extraction.batch, counting), tail, dim);
        extraction.release();

        long trainingStart = System.nanoTime();
        Trainer.Config config = config(t, spec, seed);
        Trainer trainer = new Trainer(headGraph, config);
        Path scratch = Files.createTempDirectory("slice-enroll");
        Trainer.Result result;
        try {
            Samples watched = new Embeddings(new float[0], new int[0], dim);   // no validation: the training loss is watched
            result = trainer.fit(trainE, watched, scratch.resolve(TrainCommand.CHECKPOINT), RunIdentity.EMPTY.with("enroll", name), s -> { });
        } finally {
            Files.deleteIfExists(scratch.resolve(TrainCommand.CHECKPOINT));
            Files.deleteIfExists(scratch);
        }
        int k = classes.size();
        UnknownScore unknown = UnknownScore.fit(trainE.rows, trainE.labels, k, dim);
        float[] valProbs = TrainCommand.probabilities(trainer, valE, k, config.batch());
        float[] testProbs = TrainCommand.probabilities(trainer, testE, k, config.batch());
        float threshold = UnknownThreshold.calibrate(unknown.scores(valProbs, valE.rows, valE.size()), valProbs, k, valE.labels);
        Evaluation testEval = Evaluation.of(classes, TrainCommand.names(test), testE.labels, testProbs,
                unknown.scores(testProbs, testE.rows, testE.size()), threshold);
        double trainingSeconds = (System.nanoTime() - trainingStart) / 1e9;

        Map<String, Object> training = new LinkedHashMap<>(t);
        training.put("unknown_threshold", (double) threshold);
        training.put("best_epoch", result.bestEpoch());
        training.put("test_accuracy", testEval.metrics().accuracy());
        List<Row> updated = new ArrayList<>(rows);
        for (Sample s : added) updated.add(new Row(s.file().toAbsolutePath(), name, Split.Part.TRAIN));
        AtomicFiles.writeString(dir.resolve(SPLIT), splitTable(updated));
        SavedModel.save(modelFile, fresh.full, unknown.tensors(), fresh.card(classes, training));
        return new Outcome(added.size(), k, train.size(), computed[0], (System.nanoTime() - start) / 1e9, trainingSeconds,
                testEval.metrics().accuracyLine());
    }

    /** The rows of {@code split.tsv}; a missing or malformed table is a {@link UserError} naming it. */
    static List<Row> readSplit(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw UserError.about(file.getParent(), "no " + SPLIT + " here: which photos the head was trained on is unknown (train again"
                    + " with this version, or enroll into a new folder for a recogniser made only of enrolments)");
        } catch (CharacterCodingException e) {
            throw UserError.about(file, "not UTF-8 text (damaged?)");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] cols = line.split("\t", -1);
            if (cols.length != 3) throw UserError.about(file, "line " + (i + 1) + " is not path<TAB>person<TAB>part");
            Split.Part part;
            try {
                part = Split.Part.valueOf(cols[2].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw UserError.about(file, "line " + (i + 1) + ": part '" + cols[2] + "' is not train, val or test");
            }
            try {
                rows.add(new Row(Path.of(cols[0]), cols[1], part));
            } catch (InvalidPathException e) {
                throw UserError.about(file, "line " + (i + 1) + ": '" + cols[0] + "' is not a path (" + e.getReason() + ")");
            }
        }
        return rows;
    }

    /** The table {@code train} writes: a header, then {@code path<TAB>person<TAB>part} per photo. */
    static String splitTable(List<Row> rows) {
        StringBuilder table = new StringBuilder("# path\tperson\tpart\n");
        for (Row r : rows) {
            table.append(r.file).append('\t').append(r.person).append('\t').append(r.part.name().toLowerCase(Locale.ROOT)).append('\n');
        }
        return table.toString();
    }

    /** The rows whose photo is still there; the others are said in one line. */
    private static List<Row> present(List<Row> rows, Path dir, PrintStream out) {
        List<Row> present = new ArrayList<>();
        List<Row> gone = new ArrayList<>();
        for (Row r : rows) (Files.isRegularFile(r.file) ? present : gone).add(r);
        if (!gone.isEmpty()) {
            out.printf(Locale.ROOT, "warning: %d of the %d photos the model learnt from (%s) are gone, e.g. %s; retraining without them%n",
                    gone.size(), rows.size(), dir.resolve(SPLIT), gone.get(0).file);
        }
        return present;
    }

    /** {@code raw} as the model already spells that person (Unicode-normalised comparison), else normalised. */
    private static String existingName(List<String> classes, String raw) {
        String wanted = Normalizer.normalize(raw, Normalizer.Form.NFC);
        for (String c : classes) if (Normalizer.normalize(c, Normalizer.Form.NFC).equals(wanted)) return c;
        return wanted;
    }

    /** Copies every weight of {@code from} into the same-named weight of {@code to}, except {@code head}'s. */
    private static void copyAllBut(Graph from, Graph to, Graph head) {
        Set<String> skip = new HashSet<>();
        for (Param p : head.weights()) skip.add(p.name);
        Map<String, Tensor> saved = new HashMap<>();
        for (Param p : from.weights()) saved.put(p.name, p.value);
        for (Param p : to.weights()) {
            if (skip.contains(p.name)) continue;
            Tensor s = saved.get(p.name);
            System.arraycopy(s.data, 0, p.value.data, 0, s.size());
        }
    }

    /** The training loop's settings as the card records them ({@code train}'s defaults where an older card does not). */
    private static Trainer.Config config(Map<String, Object> t, ModelSpec spec, long seed) {
        String optimizer = t.get("optimizer") instanceof String o ? o : "adam";
        return new Trainer.Config(number(t, "epochs", 30).intValue(), number(t, "batch", 32).intValue(),
                number(t, "lr", TrainCommand.defaultLearningRate(spec.architecture())).floatValue(),
                Trainer.OptimizerKind.valueOf(optimizer.toUpperCase(Locale.ROOT)), number(t, "label_smoothing", 0.1).floatValue(),
                number(t, "weight_decay", 0).floatValue(), number(t, "patience", 5).intValue(), seed);
    }

    private static Number number(Map<String, Object> t, String key, Number fallback) {
        return t.get(key) instanceof Number n ? n : fallback;
    }

    /** The head's inputs of a list of photos, in memory: {@code rows [N·dim]}, one per photo. */
    static final class Embeddings implements Samples {
        final float[] rows;
        final int[] labels;
        private final int dim;

        Embeddings(float[] rows, int[] labels, int dim) {
            this.rows = rows;
            this.labels = labels;
            this.dim = dim;
        }

        @Override public int size() { return labels.length; }
        @Override public int copies() { return 1; }
        @Override public int sampleSize() { return dim; }
        @Override public int label(int i) { return labels[i]; }
        @Override public void read(int i, int copy, float[] dst, int offset) { System.arraycopy(rows, i * dim, dst, offset, dim); }
    }

    /** The head's inputs from cached features: as they are, or through the fine-tuned layers {@code tail}. */
    private static Embeddings embeddings(slice.train.data.CachedFeatures cached, Graph tail, int dim) {
        Samples s = Samples.of(cached);
        int n = s.size();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = s.label(i);
        float[] rows = new float[n * dim];
        if (tail == null) {
            for (int i = 0; i < n; i++) s.read(i, 0, rows, i * dim);
            return new Embeddings(rows, labels, dim);
        }
        int batch = 16;
        tail.planInference(batch);
        Tensor x = new Tensor(Tensor.withBatch(batch, tail.inputShape()));
        for (int from = 0; from < n; from += batch) {
            int m = Math.min(batch, n - from);
            x.setBatch(m);
            for (int b = 0; b < m; b++) s.read(from + b, 0, x.data, b * s.sampleSize());
            System.arraycopy(tail.forward(x, false).data, 0, rows, from * dim, m * dim);
        }
        return new Embeddings(rows, labels, dim);
    }

}
