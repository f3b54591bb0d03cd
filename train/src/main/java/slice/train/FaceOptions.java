package slice.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import slice.models.face.FaceDescriber;
import slice.models.face.FaceFinder;
import slice.weights.Downloader;
import slice.weights.FaceApiModels;
import slice.weights.FaceApiNets;
import slice.weights.Gallery;
import slice.weights.RemoteFile;
import slice.weights.io.SliceCache;

/**
 * Where the face-api.js networks come from: a folder holding their manifests and shards, or (the default) Slice's cache,
 * filled on first use from the official files (offline, the error says which URL to fetch and where to put it).
 */
public final class FaceOptions {
    static final String DETECTOR = "tiny_face_detector_model";
    static final String LANDMARKS = "face_landmark_68_model";
    static final String TINY_LANDMARKS = "face_landmark_68_tiny_model";
    static final String DESCRIPTOR = "face_recognition_model";

    @Option(names = "--face-models", paramLabel = "DIR", description = "Folder of the face-api.js model files (manifests and .bin"
            + " shards, as 'weights fetch --model face-api' writes them; default: Slice's cache, downloaded on first use).")
    Path folder;

    /** The detector at {@code inputSize} and the full landmark net, with their weights. */
    FaceFinder finder(int inputSize) {
        return finder(inputSize, false);
    }

    /** The detector at {@code inputSize} and the full or tiny landmark net, with their weights. */
    FaceFinder finder(int inputSize, boolean tinyLandmarks) {
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new UserError("--input-size must be a positive multiple of 32 (face-api uses 128 to 608; 416 is its default), got "
                    + inputSize);
        }
        return new FaceFinder(FaceApiNets.detector(manifest(DETECTOR), inputSize),
                FaceApiNets.landmarks(manifest(tinyLandmarks ? TINY_LANDMARKS : LANDMARKS), tinyLandmarks));
    }

    /** A recogniser of {@code gallery}: the detector, the landmark net and the descriptor net. */
    public GalleryRecogniser galleryRecogniser(Gallery gallery) {
        return new GalleryRecogniser(finder(GalleryRecogniser.INPUT_SIZE),
                new FaceDescriber(FaceApiNets.descriptor(manifest(DESCRIPTOR))), gallery);
    }

    /** The manifest of {@code model}: in {@code --face-models}, or in the cache (downloading it and its shard if missing). */
    Path manifest(String model) {
        if (folder != null) {
            Path manifest = folder.resolve(model + "-weights_manifest.json");
            if (!Files.isRegularFile(manifest)) {
                throw UserError.about(folder, "no " + manifest.getFileName() + " here (a face-api.js model folder holds "
                        + String.join(", ", FaceApiModels.MODELS) + ")");
            }
            return manifest;
        }
        Downloader cache = new Downloader(SliceCache.standard().faceApiWeights());
        List<RemoteFile> files = FaceApiModels.files(model);
        for (RemoteFile f : files) WeightsCommand.download(f, cache);
        return cache.location(files.get(0));
    }
}
