package slice.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import slice.engine.Tensor;

/**
 * Everything a training run needs to continue after its last finished epoch as if it had never stopped: the
 * trained weights (batch-norm moving statistics included), the optimiser's state, the early-stopping state with the
 * best weights so far, and the history of epochs. Random streams are functions of (seed, epoch), so the epoch number
 * is their whole state. {@code config} describes the run (model, data, options): resuming with a different one is
 * refused.
 *
 * <p>File layout (big-endian, written atomically, CRC-32 of everything before it at the end):
 * <pre>
 *   "SLICECK1", config (UTF), epoch, stopped, bestEpoch (int), bestValLoss (double),
 *   history: count, then per epoch 7 numbers; then three tensor maps (weights, best weights, optimiser):
 *   count, then per tensor: name (UTF), rank, dims, floats; finally the CRC-32 (long)
 * </pre>
 */
public record Checkpoint(String config, int epoch, boolean stopped, int bestEpoch, double bestValLoss, List<EpochStats> history,
                         Map<String, Tensor> weights, Map<String, Tensor> bestWeights, Map<String, Tensor> optimizer) {
    private static final String MAGIC = "SLICECK1";

    public void save(Path file) throws IOException {
        AtomicFiles.write(file, raw -> {
            CheckedOutputStream checked = new CheckedOutputStream(raw, new CRC32());
            DataOutputStream out = new DataOutputStream(checked);
            out.writeBytes(MAGIC);
            out.writeUTF(config);
            out.writeInt(epoch);
            out.writeBoolean(stopped);
            out.writeInt(bestEpoch);
            out.writeDouble(bestValLoss);
            out.writeInt(history.size());
            for (EpochStats h : history) {
                out.writeInt(h.epoch());
                for (double v : new double[] {h.loss(), h.accuracy(), h.valLoss(), h.valAccuracy(), h.seconds(), h.lr()}) out.writeDouble(v);
            }
            for (Map<String, Tensor> map : List.of(weights, bestWeights, optimizer)) writeTensors(out, map);
            out.flush();
            new DataOutputStream(raw).writeLong(checked.getChecksum().getValue());
        });
    }

    /** Reads a checkpoint; a truncated, corrupt or foreign file is a {@link UserError} naming it. */
    public static Checkpoint load(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            byte[] magic = new byte[MAGIC.length()];
            in.readFully(magic);
            if (!MAGIC.equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
                throw UserError.about(file, "not a Slice checkpoint");
            }
            String config = in.readUTF();
            int epoch = in.readInt();
            boolean stopped = in.readBoolean();
            int bestEpoch = in.readInt();
            double bestValLoss = in.readDouble();
            int n = in.readInt();
            List<EpochStats> history = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                history.add(new EpochStats(in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readDouble()));
            }
            Map<String, Tensor> weights = readTensors(in), best = readTensors(in), optimizer = readTensors(in);
            long expected = checked.getChecksum().getValue();
            if (new DataInputStream(raw).readLong() != expected) throw UserError.about(file, "checkpoint is corrupt (checksum mismatch)");
            return new Checkpoint(config, epoch, stopped, bestEpoch, bestValLoss, history, weights, best, optimizer);
        } catch (EOFException | java.io.UTFDataFormatException | IllegalArgumentException e) {
            throw UserError.about(file, "checkpoint is truncated or corrupt");
        }
    }

    private static void writeTensors(DataOutputStream out, Map<String, Tensor> tensors) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        out.writeInt(sorted.size());
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            out.writeUTF(e.getKey());
            out.writeInt(t.rank());
            for (int d : t.shape()) out.writeInt(d);
            int size = t.size();
            for (int i = 0; i < size; i++) out.writeFloat(t.data[i]);
        }
    }

    private static Map<String, Tensor> readTensors(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0) throw new EOFException();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            String name = in.readUTF();
            int rank = in.readInt();
            if (rank < 0 || rank > 8) throw new EOFException();
            int[] shape = new int[rank];
            for (int i = 0; i < rank; i++) shape[i] = in.readInt();
            Tensor t = new Tensor(shape);
            for (int i = 0; i < t.size(); i++) t.data[i] = in.readFloat();
            tensors.put(name, t);
        }
        return tensors;
    }
}
