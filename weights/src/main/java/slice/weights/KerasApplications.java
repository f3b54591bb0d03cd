package slice.weights;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import slice.models.Architecture;
import slice.models.MobileNetV2;

/**
 * The official ImageNet weight files of {@code keras.applications} that Slice's models load, as published at
 * {@value #BASE_URL} — the same URLs Keras itself downloads from.
 *
 * <ul>
 *   <li>MobileNetV2, for every α in {@link MobileNetV2#ALPHAS} and input size in {@link #MOBILENET_V2_SIZES}:
 *       {@code mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<α>_<size>.h5}, or {@code …_no_top.h5}
 *       without the classifier (α written as Python prints a float: {@code 0.35}, {@code 1.0}). Keras publishes no
 *       checksum for these; the sizes and hashes we know for certain are recorded.</li>
 *   <li>InceptionV3: {@code inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5}, or {@code …_notop.h5}
 *       (note: {@code _notop} here, {@code _no_top} for MobileNetV2), with the MD5s from {@code inception_v3.py}.</li>
 * </ul>
 */
public final class KerasApplications {
    private KerasApplications() { }

    public static final String BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/";
    public static final List<Integer> MOBILENET_V2_SIZES = List.of(96, 128, 160, 192, 224);

    private static final URI BASE = URI.create(BASE_URL);

    /**
     * The MobileNetV2 file for width {@code alpha} trained at {@code size}×{@code size}. As in Keras, an input size
     * without its own file uses the 224 weights (the convolutions do not depend on the input size).
     */
    public static RemoteFile mobileNetV2(float alpha, int size, boolean includeTop) {
        if (!MobileNetV2.ALPHAS.contains(alpha)) {
            throw new WeightsException("MobileNetV2 ImageNet weights exist for alpha " + MobileNetV2.ALPHAS + ", not " + alpha);
        }
        int rows = MOBILENET_V2_SIZES.contains(size) ? size : 224;
        // Float.toString writes each listed alpha as Keras' Python does: 0.35, 0.5, 1.0
        String name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + alpha + "_" + rows + (includeTop ? "" : "_no_top") + ".h5";
        long bytes = -1;
        String sha256 = null;
        if (alpha == 1.0f && rows == 224) bytes = includeTop ? 14_536_120 : 9_406_464;
        if (alpha == 0.35f && rows == 224 && !includeTop) {
            bytes = 2_019_640;
            sha256 = "df1c3db1d0d9193719c4c70f707c56f7021f999f825bdc57454c275cf6def19f";
        }
        if (alpha == 0.5f && rows == 224 && !includeTop) {   // the shared data's copy of the official file (its PROVENANCE)
            bytes = 3_201_480;
            sha256 = "279052de2cfa801003aa6cc25cc4d007d35dd0b76f06935268c79788b7642d05";
        }
        return RemoteFile.at(BASE.resolve("mobilenet_v2/"), name, bytes, null, sha256);
    }

    /** The InceptionV3 file, with or without the 1000-class top. */
    public static RemoteFile inceptionV3(boolean includeTop) {
        URI dir = BASE.resolve("inception_v3/");
        return includeTop
                ? RemoteFile.at(dir, "inception_v3_weights_tf_dim_ordering_tf_kernels.h5", 96_112_376, "9a0d58056eeedaa3f26cb7ebd46da564", null)
                : RemoteFile.at(dir, "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", 87_910_968, "bcbd6486424b2319ff4ef7d526e38f63", null);
    }

    /**
     * The file for {@code architecture}: MobileNetV2 uses {@code alpha} and {@code inputSize}, InceptionV3 ignores
     * both; face-resnet has no Keras file (an {@link IllegalArgumentException}). The switch has no default: an
     * architecture added without its weight files does not compile.
     */
    public static RemoteFile forModel(Architecture architecture, float alpha, int inputSize, boolean includeTop) {
        return switch (architecture) {
            case MOBILENET_V2 -> mobileNetV2(alpha, inputSize, includeTop);
            case INCEPTION_V3 -> inceptionV3(includeTop);
            case FACE_RESNET -> throw new IllegalArgumentException("face-resnet's weights are face-api.js's "
                    + "face_recognition_model (FaceApiModels), not a Keras file");
        };
    }

    /** Every file: 60 MobileNetV2 files, then the two InceptionV3 files. */
    public static List<RemoteFile> all() {
        List<RemoteFile> files = new ArrayList<>();
        for (float alpha : MobileNetV2.ALPHAS) {
            for (int size : MOBILENET_V2_SIZES) {
                files.add(mobileNetV2(alpha, size, true));
                files.add(mobileNetV2(alpha, size, false));
            }
        }
        files.add(inceptionV3(true));
        files.add(inceptionV3(false));
        return files;
    }
}
