package slice.weights;

import java.io.IOException;
import slice.engine.Graph;
import slice.engine.SharedData;
import slice.engine.Tensor;
import slice.models.Architecture;
import slice.models.ModelSpec;

/**
 * The shared data's MobileNetV2 α0.35 at 224 px: the official Keras weights without top, loaded into our network,
 * and the four reference images ({@code input.npy}, preprocessed) its golden activations were computed from.
 */
final class ReferenceMobileNet {
    static final String WEIGHTS = "models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5";
    static final String FOLDER = "mobilenet_v2_0.35_224";

    private ReferenceMobileNet() { }

    /** The network up to the pooled features with the Keras weights loaded. */
    static Graph loaded() throws IOException {
        Graph g = new ModelSpec(Architecture.MOBILENET_V2, 0.35f, 224, false, 0).build();
        KerasImport.load(SharedData.require(WEIGHTS), g);
        return g;
    }

    /**
     * Plans {@code g} for {@code x}'s batch, trainable (every layer runs on its own) or frozen (convolutions apply
     * the batch norms and activations after them), and runs an inference forward pass; the output is {@code g}'s buffer.
     */
    static Tensor forward(Graph g, Tensor x, boolean trainable) {
        g.setTrainable(trainable);
        g.plan(x.dim(0));
        return g.forward(x, false);
    }

    /** The reference input, {@code [4, 224, 224, 3]}. */
    static Tensor input() throws IOException {
        return NpyFile.read(SharedData.require("reference/" + FOLDER + "/input.npy"));
    }
}
