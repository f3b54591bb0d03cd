package slice.weights;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The face-api.js model files Slice's face detector, landmark nets and face embedder load: the {@code model/} folder of
 * the npm package {@code @vladmandic/face-api} 1.7.15 (MIT; the recognition weights are dlib's, public domain), as
 * jsDelivr serves the npm package's files at {@value #BASE_URL}.
 *
 * <p>Each model is a TensorFlow.js manifest ({@code <model>-weights_manifest.json}) and one shard ({@code <model>.bin}),
 * read with {@link TfjsWeights}; both are cached side by side in {@link slice.weights.io.SliceCache#faceApiWeights()}, since
 * a manifest names its shard relative to itself. No per-file checksum is published (npm's integrity hash covers the
 * whole package); the sizes and SHA-256s here are those of the files in the 1.7.15 tarball.
 */
public final class FaceApiModels {
    private FaceApiModels() { }

    public static final String BASE_URL = "https://cdn.jsdelivr.net/npm/@vladmandic/face-api@1.7.15/model/";
    /** The models, by face-api's names: detector, 68-point landmarks (full and tiny), 128-d face descriptor. */
    public static final List<String> MODELS =
            List.of("tiny_face_detector_model", "face_landmark_68_model", "face_landmark_68_tiny_model", "face_recognition_model");

    private static final URI BASE = URI.create(BASE_URL);

    /** Size and SHA-256 of a model's manifest and of its shard. */
    private record Known(long manifestBytes, String manifestSha256, long shardBytes, String shardSha256) { }

    private static final Map<String, Known> KNOWN = Map.of(
            "tiny_face_detector_model", new Known(
                    3_219, "5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5",
                    193_321, "b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871"),
            "face_landmark_68_model", new Known(
                    8_485, "ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9",
                    356_840, "4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b"),
            "face_landmark_68_tiny_model", new Known(
                    4_806, "9a1a5dd19fd814fd5095c3cb58f8e0d3193b8c5b9a6715b30a69d559aea31ad4",
                    77_224, "b98e9f2f7da76f8a6dda9741a36ed485b224b889d552de2b2c1bb16217f67bfc"),
            "face_recognition_model", new Known(
                    19_615, "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b",
                    6_444_032, "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589"));

    /** {@code model}'s two files: its manifest, then its shard. */
    public static List<RemoteFile> files(String model) {
        Known k = KNOWN.get(model);
        if (k == null) throw new WeightsException("no face-api.js model '" + model + "' (" + String.join(", ", MODELS) + ")");
        return List.of(RemoteFile.at(BASE, model + "-weights_manifest.json", k.manifestBytes(), null, k.manifestSha256()),
                RemoteFile.at(BASE, model + ".bin", k.shardBytes(), null, k.shardSha256()));
    }

    /** Every file, model by model in {@link #MODELS} order. */
    public static List<RemoteFile> all() {
        List<RemoteFile> files = new ArrayList<>();
        for (String model : MODELS) files.addAll(files(model));
        return files;
    }
}
