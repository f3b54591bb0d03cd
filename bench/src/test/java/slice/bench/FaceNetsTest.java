package slice.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.Tensor;

/**
 * The descriptor benchmark's state runs the face-recognition ResNet as planned: a batch of faces gives one
 * 128-number descriptor per face, each the one that face gets alone, and the network is frozen as FaceDescriber runs it.
 */
class FaceNetsTest {
    @Test
    void descriptorStateDescribesEveryFaceOfItsBatchAsItWouldAlone() {
        FaceNets.Descriptor batch = new FaceNets.Descriptor();
        batch.model = "face-recognition";
        batch.batch = 2;
        batch.setUp();
        assertTrue(batch.graph.layers().stream().noneMatch(l -> l.isTrainable()), "the benchmarked graph is frozen");
        Tensor both = new FaceNets().descriptor(batch);
        assertArrayEquals(new int[] {2, 128}, both.shape());

        Graph alone = FaceNets.build("face-recognition");
        FaceNets.plan(alone, 1); // the same seed: the same weights as the batch's graph
        int pixels = batch.input.size() / 2;
        for (int face = 0; face < 2; face++) {
            Tensor one = new Tensor(new int[] {1, 150, 150, 3});
            System.arraycopy(batch.input.data, face * pixels, one.data, 0, pixels);
            float[] expected = alone.forward(one, false).data.clone();
            float[] actual = Arrays.copyOfRange(both.data, face * 128, face * 128 + 128);
            for (int i = 0; i < 128; i++) {
                assertTrue(Float.isFinite(actual[i]), "descriptor value " + i + " of face " + face);
                assertEquals(expected[i], actual[i], 1e-4f * Math.max(1f, Math.abs(expected[i])), "face " + face + " value " + i);
            }
        }
        assertTrue(both.data[0] != both.data[128], "two random faces get different descriptors");
    }

    @Test
    void descriptorFlopsGrowWithTheBatch() {
        FaceNets one = new FaceNets();
        one.model = "face-recognition";
        one.batch = 1;
        FaceNets many = new FaceNets();
        many.model = "face-recognition";
        many.batch = 32;
        assertTrue(one.flops("descriptor") > 0);
        assertEquals(32 * one.flops("descriptor"), many.flops("descriptor"), 1e-6 * many.flops("descriptor"));
    }
}
