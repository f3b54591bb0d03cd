package slice.train;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Tensor;
import slice.weights.SafeTensors;
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
 * with {@link Double#toString}, which reads back exactly.
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
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a checkpoint; a truncated, corrupt or foreign file is a {@link UserError} naming it. */
    public static Checkpoint load(Path file) {
        SafeTensors.Contents contents;
        try {
            contents = SafeTensors.read(file);
        } catch (WeightsException e) {
            throw new UserError(e.getMessage() + " (a damaged checkpoint: delete it to start the run over)");
        }
        Map<String, String> meta = contents.metadata();
        if (!FORMAT.equals(meta.get("format"))) throw UserError.about(file, "not a Slice checkpoint");
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
            return new Checkpoint(RunIdentity.of(run), Integer.parseInt(field(meta, "epoch", file)),
                    Boolean.parseBoolean(field(meta, "stopped", file)), Integer.parseInt(field(meta, "best_epoch", file)),
                    Double.parseDouble(field(meta, "best_val_loss", file)), List.copyOf(history), weights, best, optimizer);
        } catch (JsonParseException | NumberFormatException e) {
            // Gson's message goes on with a line of advice: the first line says what was wrong.
            String what = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw UserError.about(file, "checkpoint metadata is damaged (" + what + ")");
        }
    }

    private static String field(Map<String, String> meta, String key, Path file) {
        String v = meta.get(key);
        if (v == null) throw UserError.about(file, "checkpoint metadata has no " + key);
        return v;
    }
}
