package slice.train;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Tensor;
import slice.weights.SafeTensors;
import slice.weights.StrictJson;
import slice.weights.WeightsException;

/**
 * Everything a training run needs to continue after its last finished epoch as if it had never stopped: the
 * trained weights (batch-norm moving statistics included), the optimiser's state, the early-stopping state with the
 * best weights so far, and the history of epochs. Random streams are functions of (seed, epoch), so the epoch number
 * is their whole state. {@code run} identifies the run (model, data, options): resuming with a different one is
 * refused.
 *
 * <p>Stored as one safetensors file, written atomically: tensors named {@code weights:<param>}, {@code best:<param>}
 * and {@code optimizer:<slot>}; the scalars and the history (JSON) in its {@code __metadata__}. Doubles are written
 * with {@link Double#toString}, which reads back exactly. The metadata's {@code tensors_sha256} is the SHA-256 of every
 * tensor's name and values ({@link #digest}): a flipped bit anywhere in the data makes loading refuse the file rather
 * than resume from a wrong weight. Loading also refuses a non-finite value (as {@link SafeTensors#read} does) and a
 * non-finite best validation loss; {@link Trainer} never saves either. Checkpoints written before the checksum existed
 * load without it.
 */
public record Checkpoint(RunIdentity run, int epoch, boolean stopped, int bestEpoch, double bestValLoss, List<EpochStats> history,
                         Map<String, Tensor> weights, Map<String, Tensor> bestWeights, Map<String, Tensor> optimizer) {
    private static final String FORMAT = "slice-checkpoint";
    private static final String WEIGHTS = "weights:", BEST = "best:", OPTIMIZER = "optimizer:";
    private static final Gson GSON = new Gson();

    public void save(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        weights.forEach((k, v) -> tensors.put(WEIGHTS + k, v));
        bestWeights.forEach((k, v) -> tensors.put(BEST + k, v));
        optimizer.forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("run", GSON.toJson(run.toMap()));
        meta.put("epoch", Integer.toString(epoch));
        meta.put("stopped", Boolean.toString(stopped));
        meta.put("best_epoch", Integer.toString(bestEpoch));
        meta.put("best_val_loss", Double.toString(bestValLoss));
        meta.put("history", GSON.toJson(history));
        meta.put("tensors_sha256", digest(tensors));
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a checkpoint; a truncated, corrupt or foreign file is a {@link UserError} naming it. */
    public static Checkpoint load(Path file) {
        SafeTensors.Contents contents;
        try {
            contents = SafeTensors.read(file);
        } catch (WeightsException e) {
            throw new UserError(e.getMessage() + " (" + DAMAGED + ")");
        }
        Map<String, String> meta = contents.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw UserError.about(file, "not a Slice checkpoint");
        String sha = meta.get("tensors_sha256");
        if (sha != null && !sha.equals(digest(contents.tensors()))) {
            throw UserError.about(file, "its tensors do not match the checksum it records (" + DAMAGED + ")");
        }
        Map<String, Tensor> weights = new LinkedHashMap<>(), best = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        contents.tensors().forEach((name, t) -> {
            if (name.startsWith(WEIGHTS)) weights.put(name.substring(WEIGHTS.length()), t);
            else if (name.startsWith(BEST)) best.put(name.substring(BEST.length()), t);
            else if (name.startsWith(OPTIMIZER)) optimizer.put(name.substring(OPTIMIZER.length()), t);
            else throw UserError.about(file, "unexpected tensor " + name + " in a checkpoint");
        });
        if (!meta.containsKey("run")) {
            throw UserError.about(file, "written by an earlier version of train: delete it to start the run over");
        }
        try {
            Map<String, String> run = GSON.fromJson(field(meta, "run", file), new TypeToken<LinkedHashMap<String, String>>() { }.getType());
            List<EpochStats> history = GSON.fromJson(field(meta, "history", file), new TypeToken<List<EpochStats>>() { }.getType());
            if (run == null || run.containsValue(null) || history == null || history.contains(null)) {
                throw UserError.about(file, "checkpoint metadata is damaged (an empty or null run or history)");
            }
            double bestValLoss = Double.parseDouble(field(meta, "best_val_loss", file));
            if (!Double.isFinite(bestValLoss)) throw UserError.about(file, "best_val_loss is " + bestValLoss + " (" + DAMAGED + ")");
            return new Checkpoint(RunIdentity.of(run), Integer.parseInt(field(meta, "epoch", file)),
                    Boolean.parseBoolean(field(meta, "stopped", file)), Integer.parseInt(field(meta, "best_epoch", file)),
                    bestValLoss, List.copyOf(history), weights, best, optimizer);
        } catch (JsonParseException | NumberFormatException e) {
            throw UserError.about(file, "checkpoint metadata is damaged (" + StrictJson.problem(e) + ")");
        }
    }

    /** What a damaged checkpoint's message tells the user to do. */
    static final String DAMAGED = "a damaged checkpoint: delete it to start the run over";

    /** Lower-case hex SHA-256 of each tensor's name (UTF-8, then a 0 byte) and values (float32 little-endian), in order. */
    static String digest(Map<String, Tensor> tensors) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        tensors.forEach((name, t) -> {
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            SafeTensors.streamValues(t, (bytes, length) -> sha.update(bytes, 0, length));
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String field(Map<String, String> meta, String key, Path file) {
        String v = meta.get(key);
        if (v == null) throw UserError.about(file, "checkpoint metadata has no " + key);
        return v;
    }
}
