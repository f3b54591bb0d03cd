package slice.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import slice.engine.Graph;
import slice.models.Architecture;
import slice.models.ModelSpec;
import slice.train.data.Hashes;
import slice.weights.FaceApiNets;
import slice.weights.KerasImport;

/**
 * A backbone's pretrained weights: a Keras {@code .h5} file for MobileNetV2 and InceptionV3, face-api.js's
 * {@code face_recognition_model} manifest (with its shards beside it) for face-resnet.
 *
 * @param file   the {@code .h5} file or the manifest
 * @param sha256 the weights' identity, for the feature cache and the model card: the {@code .h5} file's SHA-256, or the
 *               SHA-256 of the manifest's and every shard's SHA-256, in the manifest's order
 */
record BackboneWeights(Path file, String sha256, boolean faceApi) {
    /** The weights in {@code file} for {@code spec}'s architecture; an unreadable manifest is a {@link UserError}. */
    static BackboneWeights of(Path file, ModelSpec spec) throws IOException {
        if (spec.architecture() != Architecture.FACE_RESNET) return new BackboneWeights(file, Hashes.sha256Hex(file), false);
        StringBuilder hashes = new StringBuilder(Hashes.sha256Hex(file));
        for (Path shard : shards(file)) {
            if (!Files.isRegularFile(shard)) throw UserError.about(file, "its shard " + shard.getFileName() + " is missing");
            hashes.append(' ').append(Hashes.sha256Hex(shard));
        }
        return new BackboneWeights(file, Hashes.sha256Hex(hashes.toString()), true);
    }

    /** Copies the weights into {@code backbone} (by Keras layer or face-api tensor name); says what was loaded. */
    String loadInto(Graph backbone) {
        return faceApi ? FaceApiNets.loadDescriptor(file, backbone) : KerasImport.load(file, backbone).toString();
    }

    /** The shard files a TF.js manifest names ({@code [{"paths": [...], "weights": [...]}, ...]}), beside it. */
    private static List<Path> shards(Path manifest) throws IOException {
        List<Path> shards = new ArrayList<>();
        try {
            JsonArray groups = JsonParser.parseString(Files.readString(manifest, StandardCharsets.UTF_8)).getAsJsonArray();
            for (JsonElement group : groups) {
                for (JsonElement path : group.getAsJsonObject().getAsJsonArray("paths")) {
                    shards.add(manifest.resolveSibling(path.getAsString()));
                }
            }
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw UserError.about(manifest, "not a TensorFlow.js weights manifest (a list of {\"paths\", \"weights\"})");
        }
        return shards;
    }
}
