package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Tensor;
import slice.models.ModelSpec;
import slice.weights.SavedModel;

class UnknownScoreTest {
    @TempDir Path tmp;

    /**
     * Person 0 at (1,2,0) and (3,2,0), person 1 at (1,0,0) and (3,0,0): μ = (2,1,0); the centred unit vectors are
     * (∓1,1,0)/√2 for person 0 and (∓1,−1,0)/√2 for person 1, so the centroids are (0,1,0) and (0,−1,0).
     */
    private static UnknownScore twoPeople() {
        return UnknownScore.fit(new float[] {1, 2, 0, 3, 2, 0, 1, 0, 0, 3, 0, 0}, new int[] {0, 0, 1, 1}, 2, 3);
    }

    @Test
    void centroidsAreTheNormalisedMeansOfCentredUnitEmbeddings() {
        UnknownScore s = twoPeople();
        assertArrayEquals(new float[] {2, 1, 0}, s.mean().data, 1e-6f);
        assertArrayEquals(new float[] {0, 1, 0, 0, -1, 0}, s.centroids().data, 1e-6f);
    }

    @Test
    void scoreIsTopProbabilityTimesBestCosine() {
        float[] embeddings = {
            2, 3, 0,     // centred (0,2,0): on person 0's centroid, cosine 1
            3, 2, 0,     // centred (1,1,0): 45° from person 0, cosine 1/√2
            2, 0, 0,     // on person 1's centroid
            2, 1, 5,     // centred (0,0,5): orthogonal to both, cosine 0 — a stranger
            2, 1, 0};    // the mean itself: no direction, score 0
        float[] probs = {0.8f, 0.2f, 0.6f, 0.4f, 0.3f, 0.7f, 0.9f, 0.1f, 0.5f, 0.5f};
        assertArrayEquals(new float[] {0.8f, (float) (0.6 / Math.sqrt(2)), 0.7f, 0f, 0f}, twoPeople().scores(probs, embeddings, 5), 1e-6f);
    }

    @Test
    void aFaceOppositeToEveryoneScoresZeroNotNegative() {
        UnknownScore s = new UnknownScore(Tensor.wrap(new float[3], 3), Tensor.wrap(new float[] {1, 0, 0, 0, 1, 0}, 2, 3));
        assertArrayEquals(new float[] {0f}, s.scores(new float[] {0.9f, 0.1f}, new float[] {-1, -1, 0}, 1));   // cosines −1/√2
    }

    @Test
    void separatesStrangersFromKnownPeopleOnSyntheticClusters() {
        // 3 people: tight clusters around orthogonal directions in 6-D; strangers around the other 3 directions.
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int dim = 6, perPerson = 20;
        float[] train = new float[3 * perPerson * dim];
        int[] labels = new int[3 * perPerson];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / perPerson;
            for (int j = 0; j < dim; j++) train[i * dim + j] = (j == labels[i] ? 5f : 1f) + (float) random.nextGaussian() * 0.3f;
        }
        UnknownScore s = UnknownScore.fit(train, labels, 3, dim);
        float[] known = {5, 1, 1, 1, 1, 1}, stranger = {1, 1, 1, 1, 5, 1};
        float[] sure = {0.9f, 0.05f, 0.05f};
        float[] scores = s.scores(concat(sure, sure), concat(known, stranger), 2);
        assertTrue(scores[0] > 0.8f, "known face, near its centroid: " + scores[0]);
        assertTrue(scores[1] < 0.2f, "a stranger the head is just as sure about: " + scores[1]);
    }

    @Test
    void modelsWithoutTheScoreAreRefusedWithOneLine() {
        FaceModel m = FaceModel.build(ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0), null, null, new FaceModel.Head(0, 0f), 2, 1);
        Path file = tmp.resolve(TrainCommand.MODEL);
        SavedModel.save(file, m.full,
                m.card(List.of("alice", "bob"), Map.of("head_hidden", 0, "head_dropout", 0.0, "unknown_threshold", 0.3)));
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> Recogniser.load(tmp, new FaceOptions()));
        assertEquals(file + ": trained by an older version without the unknown-face score; train it again", e.getMessage());
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
