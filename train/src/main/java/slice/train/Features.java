package slice.train;

import java.util.Arrays;
import slice.engine.Graph;
import slice.engine.Tensor;
import slice.train.data.Extractor;

/**
 * The frozen part of a network as the feature cache's {@link Extractor}: runs {@code graph} in inference mode on
 * batches of preprocessed images and returns its flattened output. The batch is sized to the heap
 * ({@link FaceModel#batchFor}), so a 1 GB heap extracts InceptionV3 activations a few images at a time.
 */
public final class Features implements Extractor {
    private final Graph graph;
    private final int[] inputShape;
    /** Images per call the caller should pass. */
    public final int batch;

    public Features(Graph graph) {
        this.graph = graph;
        this.inputShape = graph.inputShape();
        this.batch = FaceModel.batchFor(graph, 32);
        graph.planInference(batch);
    }

    @Override public float[] extract(float[] images, int count) {
        Tensor out = graph.forward(Tensor.wrap(images, Tensor.withBatch(count, inputShape)), false);
        return Arrays.copyOf(out.data, out.size());
    }

    /** Shrinks the graph's buffers to one image once extraction is over, returning their memory to training. */
    void release() {
        graph.plan(1);
    }
}
