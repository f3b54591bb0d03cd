package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import slice.engine.Parallel;
import slice.engine.Tensor;
import slice.engine.optim.Loss;
import slice.train.data.Preprocessor;
import slice.weights.ModelCard;
import slice.weights.SavedModel;

/**
 * A trained face recogniser loaded from {@code train}'s output: the network rebuilt from the model card, its weights,
 * its people and its calibrated unknown threshold. {@link #probabilities} runs whole images through it, decoded and
 * preprocessed exactly as training did ({@link Preprocessor#load}).
 */
final class Recogniser {
    final FaceModel model;
    final ModelCard card;
    final List<String> classes;
    /** The calibrated threshold below which the answer is {@code unknown}. */
    final float threshold;
    private final int batch;

    private Recogniser(FaceModel model, ModelCard card, float threshold) {
        this.model = model;
        this.card = card;
        this.classes = card.classNames();
        this.threshold = threshold;
        model.full.setTrainable(false);
        this.batch = FaceModel.batchFor(model.full, 16);
    }

    /** Loads {@code path}: a folder written by {@code train}, or its {@code model.safetensors}. */
    static Recogniser load(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(TrainCommand.MODEL) : path;
        if (!Files.exists(file)) {
            throw UserError.about(path, Files.isDirectory(path) ? "no " + TrainCommand.MODEL + " in this folder (is it a train --out folder?)" : "no such model");
        }
        ModelCard card = SavedModel.readCard(file);
        Map<String, Object> t = card.training();
        int hidden = number(t, "head_hidden", file).intValue();
        float dropout = number(t, "head_dropout", file).floatValue();
        FaceModel model = FaceModel.build(FaceModel.spec(card.architecture(), (float) card.alpha(), card.inputSize()), card.cutLayer(), null,
                new FaceModel.Head(hidden, dropout), card.classNames().size(), 0);
        String expected = model.spec.preprocessing().describe();
        if (!expected.equals(card.preprocessing())) {
            throw UserError.about(file, "preprocessing '" + card.preprocessing() + "' is not " + card.architecture() + "'s (" + expected + ")");
        }
        SavedModel.load(file, model.full);
        return new Recogniser(model, card, number(t, "unknown_threshold", file).floatValue());
    }

    /** Why an image file is unusable, in a few words: {@code no such file}, {@code not an image}, …. */
    static String problem(IOException e) {
        return e.getCause() instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
    }

    private static Number number(Map<String, Object> training, String key, Path file) {
        if (!(training.get(key) instanceof Number n)) throw UserError.about(SavedModel.sidecarOf(file), "training." + key + " is missing or not a number");
        return n;
    }

    /**
     * Softmax probabilities {@code [N·K]} of the images at {@code files}, in order; decoding failures are collected in
     * {@code errors[i]} (one line each) and leave row {@code i} zero.
     */
    float[] probabilities(List<Path> files, String[] errors) {
        int k = classes.size(), size = model.spec.size(), imageLength = size * size * 3;
        float[] probs = new float[files.size() * k];
        float[] images = new float[batch * imageLength];
        ThreadLocal<Preprocessor> preprocessors = ThreadLocal.withInitial(() -> new Preprocessor(size, model.spec.preprocessing()));
        model.full.planInference(batch);
        for (int from = 0; from < files.size(); from += batch) {
            int n = Math.min(batch, files.size() - from), first = from;
            Parallel.forRange(n, (a, b) -> {
                for (int i = a; i < b; i++) {
                    Path f = files.get(first + i);
                    try {
                        preprocessors.get().load(f, images, i * imageLength);
                    } catch (IOException e) {
                        errors[first + i] = f + ": " + problem(e);
                    }
                }
            });
            Tensor logits = model.full.forward(Tensor.wrap(images, n, size, size, 3), false);
            Tensor rows = Tensor.wrap(new float[n * k], n, k);
            Loss.softmax(logits, rows);
            for (int i = 0; i < n; i++) {
                if (errors[first + i] == null) System.arraycopy(rows.data, i * k, probs, (first + i) * k, k);
            }
        }
        return probs;
    }
}
