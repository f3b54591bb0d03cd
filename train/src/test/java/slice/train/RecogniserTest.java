package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Tensor;
import slice.models.ModelSpec;
import slice.models.Preprocessing;
import slice.weights.KerasImport;
import slice.weights.ModelCard;
import slice.weights.SavedModel;

class RecogniserTest {
    @TempDir Path tmp;

    /**
     * At 224 px the inference plan runs a batch in slices of a few images; the embeddings the unknown score reads
     * must still be every image's own: answers for 7 images at once equal the answers for each image alone.
     */
    @Test
    void batchedAnswersEqualOneImageAtATime() {
        Path faces = RealData.attFaces();
        Path weights = RealData.mobileNetV2Alpha035();
        FaceModel m = FaceModel.build(ModelSpec.of("mobilenetv2", 0.35f, 224, false, 0), null, null, new FaceModel.Head(0, 0f), 3, 1);
        KerasImport.load(weights, m.backbone());
        int dim = m.full.layer(m.embedding).outputSize();
        SplittableRandom random = new SplittableRandom(5);
        float[] mean = new float[dim], centroids = new float[3 * dim];
        for (int i = 0; i < dim; i++) mean[i] = (float) random.nextDouble(0, 0.5);
        for (int i = 0; i < centroids.length; i++) centroids[i] = (float) random.nextGaussian() / (float) Math.sqrt(dim);
        UnknownScore score = new UnknownScore(Tensor.wrap(mean, dim), Tensor.wrap(centroids, 3, dim));
        SavedModel.save(tmp.resolve(TrainCommand.MODEL), m.full, score.tensors(), m.card(List.of("a", "b", "c"),
                Map.of("head_hidden", 0, "head_dropout", 0.0, "unknown_score", UnknownScore.NAME, "unknown_threshold", 0.3)));
        Recogniser r = Recogniser.load(tmp, new FaceOptions());

        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 7; i++) files.add(faces.resolve("s" + i + "/1.pgm"));
        Recogniser.Answers all = r.answers(files, new String[7]);
        for (int i = 0; i < 7; i++) {
            Recogniser.Answers one = r.answers(List.of(files.get(i)), new String[1]);
            assertArrayEquals(one.probs(), java.util.Arrays.copyOfRange(all.probs(), 3 * i, 3 * i + 3), 1e-5f, "image " + i);
            assertEquals(one.scores()[0], all.scores()[i], 1e-5f, "image " + i);
        }
    }

    /** A card whose preprocessing is not the architecture's is refused in one line naming its file: the values differ. */
    @Test
    void aPreprocessingOtherThanTheArchitecturesIsRefused() {
        FaceModel m = FaceModel.build(ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0), null, null, new FaceModel.Head(0, 0f), 2, 1);
        ModelCard keras = m.card(List.of("a", "b"), Map.of("head_hidden", 0, "head_dropout", 0.0, "unknown_score", UnknownScore.NAME,
                "unknown_threshold", 0.3));
        ModelCard bgr = new ModelCard(keras.architecture(), keras.alpha(), keras.inputSize(), keras.cutLayer(), keras.classNames(),
                new Preprocessing("BGR", 127.5f, -1f), keras.training());
        Path file = tmp.resolve(TrainCommand.MODEL);
        SavedModel.save(file, m.full, UnknownScore.empty(2, m.full.layer(m.embedding).outputSize()).tensors(), bgr);
        UserError e = assertThrows(UserError.class, () -> Recogniser.load(tmp, new FaceOptions()));
        assertEquals(SavedModel.sidecarOf(file) + ": preprocessing 'BGR, x / 127.5 - 1.0' is not mobilenetv2's (RGB, x / 127.5 - 1.0)",
                e.getMessage(), "a problem of the card is one of model.json");
    }
}
