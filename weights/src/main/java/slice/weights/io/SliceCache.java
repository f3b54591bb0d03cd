package slice.weights.io;

import java.nio.file.Path;

/**
 * Slice's cache folder and what lives in it — the one place that knows the layout:
 * <ul>
 *   <li>the root: {@code -Dslice.cache}, else the environment variable {@code SLICE_CACHE}, else {@code ~/.cache/slice};</li>
 *   <li>{@link #kerasWeights()}: downloaded Keras weight files, {@code ROOT/keras};</li>
 *   <li>{@link #faceApiWeights()}: downloaded face-api.js models (manifests and shards), {@code ROOT/face_api};</li>
 *   <li>{@link #features()}: {@code train}'s cache of backbone activations, {@code ROOT/features}.</li>
 * </ul>
 *
 * @param root the cache folder
 */
public record SliceCache(Path root) {
    /** The cache the user configured, or {@code ~/.cache/slice}. */
    public static SliceCache standard() {
        String configured = System.getProperty("slice.cache");
        if (configured == null || configured.isBlank()) configured = System.getenv("SLICE_CACHE");
        if (configured != null && !configured.isBlank()) return new SliceCache(Path.of(configured));
        return new SliceCache(Path.of(System.getProperty("user.home"), ".cache", "slice"));
    }

    /** Where downloaded Keras weight files are kept. */
    public Path kerasWeights() {
        return root.resolve("keras");
    }

    /** Where downloaded face-api.js models are kept: each manifest beside its shards, as TensorFlow.js expects. */
    public Path faceApiWeights() {
        return root.resolve("face_api");
    }

    /** Where {@code train} keeps the backbone activations it computed. */
    public Path features() {
        return root.resolve("features");
    }
}
