package slice.train;

import java.nio.file.Path;
import slice.engine.SharedData;

/** The shared data the end-to-end tests train on (skipped when absent, see {@link SharedData}). */
final class RealData {
    private RealData() { }

    /** The AT&T faces: 40 people, 10 grey 92×112 photos each, in {@code s1} … {@code s40}. */
    static Path attFaces() {
        return SharedData.require("faces/att_faces");
    }

    /** Keras' ImageNet weights of MobileNetV2 α0.35 (no top): the smallest real backbone. */
    static Path mobileNetV2Alpha035() {
        return SharedData.require("models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5");
    }
}
