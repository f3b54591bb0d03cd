package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Parallel;
import slice.engine.Tensor;
import slice.engine.optim.Loss;
import slice.train.data.FaceIndex;
import slice.train.data.ImageDecoder;
import slice.train.data.Preprocessor;
import slice.train.data.RgbImage;
import slice.weights.ModelCard;
import slice.weights.SavedModel;
import slice.weights.WeightsException;
import slice.weights.io.SliceCache;

/**
 * A trained face recogniser loaded from {@code train}'s output: the network rebuilt from the model card, its weights,
 * its people, its {@link UnknownScore} and the calibrated unknown threshold. {@link #answers} runs photos through it,
 * decoded, framed ({@link Framing}: whole, or the face found and aligned) and preprocessed exactly as training did.
 * One recogniser is used by one thread at a time (its graphs hold their activations). Models written before the
 * unknown score existed (no {@code training.unknown_score} in the card) are refused with a request to retrain.
 */
final class Recogniser {
    final FaceModel model;
    final ModelCard card;
    final List<String> classes;
    /** The calibrated threshold of the {@link UnknownScore} below which the answer is {@code unknown}. */
    final float threshold;
    final UnknownScore unknown;
    /** How photos become images: as the card says; {@link #faces} finds the faces when they are detected. */
    final Framing framing;
    final FaceIndex faces;
    private final int batch;
    /**
     * Two graphs meeting at the embedding, planned once: an inference plan keeps only its output for the whole batch
     * (the other buffers hold the last slice of images), so the embedding must be the output of the first one.
     */
    private final Graph backbone, head;
    /** Each thread's preprocessor (scratch grown once, reused by every call). */
    private final ThreadLocal<Preprocessor> preprocessors;

    /** Softmax rows {@code probs [N·K]} and unknown {@code scores [N]} of N images. */
    record Answers(float[] probs, float[] scores) { }

    private Recogniser(FaceModel model, ModelCard card, UnknownScore unknown, float threshold, Framing framing, FaceIndex faces) {
        this.model = model;
        this.card = card;
        this.classes = card.classNames();
        this.unknown = unknown;
        this.threshold = threshold;
        this.framing = framing;
        this.faces = faces;
        model.full.setTrainable(false);
        this.batch = FaceModel.batchFor(model.full, 16);
        Layer embedding = model.full.layer(model.embedding);
        backbone = new Graph(model.full.source(), embedding);
        head = new Graph(embedding, model.full.output());
        backbone.planInference(batch);
        head.plan(batch);
        preprocessors = ThreadLocal.withInitial(() -> new Preprocessor(model.spec.size(), model.spec.preprocessing()));
    }

    /**
     * Loads {@code path}: a folder written by {@code train}, or its {@code model.safetensors}; a model trained on detected
     * faces gets its face finder from {@code faceModels}.
     */
    static Recogniser load(Path path, FaceOptions faceModels) {
        Path file = Files.isDirectory(path) ? path.resolve(TrainCommand.MODEL) : path;
        if (!Files.exists(file)) {
            throw UserError.about(path, Files.isDirectory(path)
                    ? "no " + TrainCommand.MODEL + " in this folder (is it a folder written by train?)" : "no such model");
        }
        ModelCard card = SavedModel.readCard(file);
        Map<String, Object> t = card.training();
        int hidden = (int) numberIn(t, "head_hidden", file, v -> v >= 0 && v <= MAX_HIDDEN && v == Math.rint(v),
                "a whole number in [0, " + MAX_HIDDEN + "]");
        float dropout = (float) numberIn(t, "head_dropout", file, v -> v >= 0 && v < 1, "in [0, 1)");
        FaceModel model;
        try {
            FaceModel.Head head = new FaceModel.Head(hidden, dropout);
            model = FaceModel.build(FaceModel.specOf(card), card.cutLayer(), null, head, card.classNames().size(), 0);
        } catch (IllegalArgumentException e) {
            throw UserError.about(file, e.getMessage());
        }
        if (!UnknownScore.NAME.equals(t.get("unknown_score"))) {
            throw UserError.about(file, "trained by an older version without the unknown-face score; train it again");
        }
        UnknownScore unknown = UnknownScore.empty(card.classNames().size(), model.full.layer(model.embedding).outputSize());
        ModelCard loaded;
        try {
            loaded = SavedModel.load(file, model.full, unknown.tensors());
        } catch (WeightsException e) {
            if (SavedModel.readCard(file).equals(card)) throw e;
            return load(path, faceModels);      // a save replaced the model since its card was read: build the new one
        }
        if (!loaded.equals(card)) return load(path, faceModels);
        Framing framing = Framing.fromCard(t, file);
        FaceIndex faces = framing.index(faceModels, model.spec, SliceCache.standard().features().resolve("faces"));
        float threshold = (float) numberIn(t, "unknown_threshold", file, v -> v >= 0 && v <= 1, "in [0, 1], as predict --threshold");
        return new Recogniser(model, card, unknown, threshold, framing, faces);
    }

    /** Why an image file is unusable, in a few words: {@code no such file}, {@code not an image}, …. */
    static String problem(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException || e.getCause() instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.FileSystemException) return "unreadable (" + e.getClass().getSimpleName() + ")";
        return e.getMessage();
    }

    /** More hidden units than any head needs (a Dense of this width after 1280 features is 1.3·10⁸ weights). */
    private static final int MAX_HIDDEN = 100_000;

    /** {@code training.key} if {@code valid} holds for it; otherwise a one-line error naming the sidecar, the field and {@code expected}. */
    private static double numberIn(Map<String, Object> training, String key, Path file, DoublePredicate valid, String expected) {
        double v = number(training, key, file).doubleValue();
        if (!valid.test(v)) throw UserError.about(SavedModel.sidecarOf(file), "training." + key + " is " + training.get(key) + ", not " + expected);
        return v;
    }

    private static Number number(Map<String, Object> training, String key, Path file) {
        if (!(training.get(key) instanceof Number n)) {
            throw UserError.about(SavedModel.sidecarOf(file), "training." + key + " is missing or not a number");
        }
        return n;
    }

    /** Writes input {@code i}, preprocessed, into {@code out[offset ..]}; the exception's message says why it cannot. */
    @FunctionalInterface
    interface Loader {
        void load(int i, Preprocessor pre, float[] out, int offset) throws IOException;
    }

    /**
     * Softmax probabilities and unknown scores of the photos at {@code files}, in order — of each whole photo, or of its
     * largest face when the model was trained on detected faces. Failures (unreadable, not an image, no face) are
     * collected in {@code errors[i]} (one line each) and leave row {@code i} zero.
     */
    Answers answers(List<Path> files, String[] errors) {
        return answers(files.size(), (i, pre, out, offset) -> {
            Path f = files.get(i);
            try {
                byte[] bytes = Files.readAllBytes(f);
                if (faces == null) {
                    pre.preprocess(pre.decode(bytes), out, offset);
                    return;
                }
                FaceIndex.Face face = faces.locate(bytes);
                if (face.faces() == 0) throw new IOException("no face found");
                ImageDecoder.Scaled photo = pre.decodeScaled(bytes);
                pre.preprocess(faces.crop(photo.image(), photo.factor(), face.photoToCrop()), out, offset);
            } catch (IOException e) {
                throw new IOException(f + ": " + problem(e), e);
            }
        }, errors);
    }

    /** A photo's bytes decoded as training decoded them (large photos decimated; see {@link Preprocessor#decodeScaled}). */
    ImageDecoder.Scaled decode(byte[] bytes) throws IOException {
        return preprocessors.get().decodeScaled(bytes);
    }

    /** Softmax probabilities and unknown scores of one decoded whole photo (a model trained on whole photos). */
    Answers answers(RgbImage photo) {
        String[] errors = new String[1];
        return answers(1, (i, pre, out, offset) -> pre.preprocess(photo, out, offset), errors);
    }

    /** Softmax probabilities and unknown scores of the aligned faces of one photo ({@link FaceIndex#all}). */
    Answers answers(ImageDecoder.Scaled photo, List<FaceIndex.Found> found) {
        String[] errors = new String[found.size()];
        Answers a = answers(found.size(), (i, pre, out, offset) ->
                pre.preprocess(faces.crop(photo.image(), photo.factor(), found.get(i).photoToCrop()), out, offset), errors);
        for (String e : errors) if (e != null) throw new IllegalStateException(e);
        return a;
    }

    /** Runs {@code count} inputs through the network in batches, preprocessing each batch in parallel. */
    private Answers answers(int count, Loader loader, String[] errors) {
        int k = classes.size(), d = unknown.dim(), size = model.spec.size(), imageLength = size * size * 3;
        float[] probs = new float[count * k], embeddings = new float[count * d];
        float[] images = new float[Math.min(batch, count) * imageLength];
        for (int from = 0; from < count; from += batch) {
            int n = Math.min(batch, count - from), first = from;
            Parallel.forRange(n, (a, b) -> {
                for (int i = a; i < b; i++) {
                    try {
                        loader.load(first + i, preprocessors.get(), images, i * imageLength);
                    } catch (IOException e) {
                        errors[first + i] = e.getMessage();
                    }
                }
            });
            Tensor features = backbone.forward(Tensor.wrap(images, n, size, size, 3), false);
            System.arraycopy(features.data, 0, embeddings, first * d, n * d);
            Tensor logits = head.forward(features, false);
            Tensor rows = Tensor.wrap(new float[n * k], n, k);
            Loss.softmax(logits, rows);
            for (int i = 0; i < n; i++) {
                if (errors[first + i] == null) System.arraycopy(rows.data, i * k, probs, (first + i) * k, k);
            }
        }
        return new Answers(probs, unknown.scores(probs, embeddings, count));
    }
}
