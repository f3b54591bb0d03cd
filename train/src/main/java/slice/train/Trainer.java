package slice.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Dropout;
import slice.engine.optim.Adam;
import slice.engine.optim.Loss;
import slice.engine.optim.LrSchedule;
import slice.engine.optim.Optimizer;
import slice.engine.optim.Sgd;

/**
 * The training loop of the trainable part of a network (the head, and with fine-tuning the backbone layers after the
 * cut), fed with cached activations.
 *
 * <p>Each epoch: shuffle the images, pick one augmented copy of each, run mini-batches of
 * forward → softmax cross-entropy (label smoothing) → backward → optimiser step, then measure loss and accuracy on the
 * validation set (inference mode). Early stopping watches the validation loss: after {@code patience} epochs without
 * a new minimum the run stops, and the weights of the best epoch are restored (Keras'
 * {@code EarlyStopping(restore_best_weights=True)}).
 *
 * <p>Batch norms being trained normalise with batch statistics; after each epoch their moving statistics are set to
 * the training set's ({@link #preciseBatchNorm}), so validation and prediction see what training saw.
 *
 * <p>Learning rate: cosine decay from {@code lr} to {@code lr/100} over the whole run, after a linear warm-up over the
 * first epoch (or the first tenth of the run, if shorter) that keeps Adam's first, badly-estimated steps small.
 *
 * <p>Resumable: after every epoch a {@link Checkpoint} is written atomically. Every random choice of epoch {@code e}
 * (order, augmented copy, dropout masks) comes from generators seeded with (seed, e), so a run restarted from the
 * checkpoint of epoch {@code e} computes exactly what the uninterrupted run computed, bit for bit.
 */
public final class Trainer {
    /** Options of the training loop. {@code optimizer} is {@code adam} or {@code sgd} (momentum 0.9, Nesterov). */
    public record Config(int epochs, int batch, float lr, String optimizer, float labelSmoothing, float weightDecay,
                         int patience, long seed) {
        public Config {
            if (epochs < 1) throw new UserError("--epochs must be at least 1, got " + epochs);
            if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
            if (!(lr > 0)) throw new UserError("--lr must be positive, got " + lr);
            if (!optimizer.equals("adam") && !optimizer.equals("sgd")) throw new UserError("--optimizer must be adam or sgd, got " + optimizer);
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new UserError("--label-smoothing must be in [0, 1), got " + labelSmoothing);
            if (!(weightDecay >= 0)) throw new UserError("--weight-decay must be >= 0, got " + weightDecay);
            if (patience < 1) throw new UserError("--patience must be at least 1, got " + patience);
        }

        /** E.g. {@code epochs 30, batch 32, lr 0.001, adam, label smoothing 0.1, weight decay 0.0, patience 5, seed 1}. */
        public String describe() {
            return "epochs " + epochs + ", batch " + batch + ", lr " + lr + ", " + optimizer + ", label smoothing " + labelSmoothing
                    + ", weight decay " + weightDecay + ", patience " + patience + ", seed " + seed;
        }
    }

    /** What the run ended with; the network holds the restored best weights. */
    public record Result(List<EpochStats> history, int bestEpoch, boolean resumed) { }

    private final Graph net;
    private final Config config;
    private final int classes;

    public Trainer(Graph net, Config config) {
        this.net = net;
        this.config = config;
        this.classes = net.outputShape()[0];
    }

    /**
     * Trains {@code net} on {@code train}, watching {@code val}, continuing from {@code checkpointFile} when it holds a
     * run of the same {@code runDescription}. {@code onEpoch} receives each finished epoch (after its checkpoint is
     * written). With an empty validation set the training loss is watched instead.
     */
    public Result fit(Samples train, Samples val, Path checkpointFile, String runDescription, Consumer<EpochStats> onEpoch) {
        int stepsPerEpoch = (train.size() + config.batch() - 1) / config.batch();
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        Optimizer optimizer = optimizer(totalSteps, Math.min(stepsPerEpoch, totalSteps / 10));
        List<Param> params = net.trainableParams();

        List<EpochStats> history = new ArrayList<>();
        int epoch = 0, bestEpoch = 0;
        boolean stopped = false, resumed = false;
        double bestLoss = Double.POSITIVE_INFINITY;
        Map<String, Tensor> best = snapshot();
        if (Files.exists(checkpointFile)) {
            Checkpoint c = Checkpoint.load(checkpointFile);
            if (!c.config().equals(runDescription)) {
                throw UserError.about(checkpointFile, "holds a different training run (" + difference(c.config(), runDescription)
                        + "); use another --out, or delete it to start over");
            }
            restore(c.weights(), checkpointFile);
            optimizer.loadState(c.optimizer());
            history.addAll(c.history());
            epoch = c.epoch();
            stopped = c.stopped();
            bestEpoch = c.bestEpoch();
            bestLoss = c.bestValLoss();
            best = c.bestWeights();
            resumed = true;
        }

        net.plan(Math.min(config.batch(), Math.max(1, train.size())));
        Tensor x = new Tensor(Tensor.withBatch(config.batch(), net.inputShape()));
        Tensor dLogits = new Tensor(config.batch(), classes);
        int[] labels = new int[config.batch()];
        while (!stopped && epoch < config.epochs()) {
            epoch++;
            long start = System.nanoTime();
            SplittableRandom random = new SplittableRandom(mix(config.seed(), epoch));
            for (Layer l : net.layers()) if (l instanceof Dropout d) d.reseed(random.nextLong());
            int[] order = permutation(train.size(), random);
            double lossSum = 0;
            int correct = 0;
            for (int from = 0; from < order.length; from += config.batch()) {
                int n = Math.min(config.batch(), order.length - from);
                x.setBatch(n);
                dLogits.setBatch(n);
                for (int b = 0; b < n; b++) {
                    int i = order[from + b];
                    train.read(i, random.nextInt(train.copies()), x.data, b * train.sampleSize());
                    labels[b] = train.label(i);
                }
                Tensor logits = net.forward(x, true);
                lossSum += (double) Loss.softmaxCrossEntropy(logits, labels, config.labelSmoothing(), dLogits) * n;
                correct += countCorrect(logits, labels, n);
                net.backward(dLogits);
                optimizer.step(params);
            }
            preciseBatchNorm(train, x);
            double loss = lossSum / Math.max(1, train.size()), accuracy = (double) correct / Math.max(1, train.size());
            double valLoss = loss, valAccuracy = accuracy;
            if (val.size() > 0) {
                float[] logits = logits(val, config.batch());
                valLoss = Loss.softmaxCrossEntropy(Tensor.wrap(logits, val.size(), classes), labelsOf(val), config.labelSmoothing(), null);
                valAccuracy = (double) countCorrect(Tensor.wrap(logits, val.size(), classes), labelsOf(val), val.size()) / val.size();
            }
            if (valLoss < bestLoss) {
                bestLoss = valLoss;
                bestEpoch = epoch;
                best = snapshot();
            } else if (epoch - bestEpoch >= config.patience()) {
                stopped = true;
            }
            EpochStats stats = new EpochStats(epoch, loss, accuracy, valLoss, valAccuracy, (System.nanoTime() - start) / 1e9,
                    optimizer.currentLr());
            history.add(stats);
            new Checkpoint(runDescription, epoch, stopped, bestEpoch, bestLoss, history, snapshot(), best, optimizer.state())
                    .save(checkpointFile);
            onEpoch.accept(stats);
        }
        restore(best, checkpointFile);
        return new Result(List.copyOf(history), bestEpoch, resumed);
    }

    /**
     * Sets the moving statistics of every trained batch norm to the mean, over the training set (copy 0 of every
     * image, in order), of the batch statistics that training normalised with ("precise BN", Wu &amp; Johnson 2021).
     * Why: with Keras' momentum 0.999 a few hundred steps leave the moving statistics almost at their ImageNet values,
     * far from the batch statistics of faces the fine-tuned layers learnt to expect, so inference (validation, test,
     * prediction) would see different activations than training did. One forward pass per epoch fixes that.
     */
    private void preciseBatchNorm(Samples train, Tensor x) {
        List<BatchNorm> norms = new ArrayList<>();
        for (Layer l : net.layers()) if (l instanceof BatchNorm bn && l.isTrainable()) norms.add(bn);
        if (norms.isEmpty()) return;
        double[][] meanSum = new double[norms.size()][], varSum = new double[norms.size()][];
        for (int k = 0; k < norms.size(); k++) {
            meanSum[k] = new double[norms.get(k).channels];
            varSum[k] = new double[norms.get(k).channels];
        }
        for (int from = 0; from < train.size(); from += config.batch()) {
            int n = Math.min(config.batch(), train.size() - from);
            x.setBatch(n);
            for (int b = 0; b < n; b++) train.read(from + b, 0, x.data, b * train.sampleSize());
            net.forward(x, true);
            for (int k = 0; k < norms.size(); k++) {
                BatchNorm bn = norms.get(k);
                Tensor in = bn.inputs().get(0).out;
                int c = bn.channels, pixels = in.size() / c;
                double[] mean = new double[c], var = new double[c];
                for (int p = 0; p < pixels; p++) for (int j = 0; j < c; j++) mean[j] += in.data[p * c + j];
                for (int j = 0; j < c; j++) mean[j] /= pixels;
                for (int p = 0; p < pixels; p++) {
                    for (int j = 0; j < c; j++) {
                        double d = in.data[p * c + j] - mean[j];
                        var[j] += d * d;
                    }
                }
                for (int j = 0; j < c; j++) {
                    meanSum[k][j] += mean[j] * n;
                    varSum[k][j] += var[j] / pixels * n;
                }
            }
        }
        for (int k = 0; k < norms.size(); k++) {
            BatchNorm bn = norms.get(k);
            for (int j = 0; j < bn.channels; j++) {
                bn.movingMean.value.data[j] = (float) (meanSum[k][j] / train.size());
                bn.movingVariance.value.data[j] = (float) (varSum[k][j] / train.size());
            }
        }
    }

    /** Logits {@code [N·K]} of every row (copy 0) of {@code samples}, in inference mode, {@code batch} rows at a time. */
    public float[] logits(Samples samples, int batch) {
        return activations(samples, batch, net.output().name);
    }

    /**
     * Outputs {@code [N·C]} of the trainable network's layer {@code layer} (e.g. the embedding the head reads) for
     * every row (copy 0) of {@code samples}, in inference mode, {@code batch} rows at a time.
     */
    public float[] activations(Samples samples, int batch, String layer) {
        Layer l = net.layer(layer);
        int width = l.outputSize();
        float[] out = new float[samples.size() * width];
        Tensor x = new Tensor(Tensor.withBatch(batch, net.inputShape()));
        if (net.capacity() < 1) net.plan(batch);
        for (int from = 0; from < samples.size(); from += batch) {
            int n = Math.min(batch, samples.size() - from);
            x.setBatch(n);
            for (int b = 0; b < n; b++) samples.read(from + b, 0, x.data, b * samples.sampleSize());
            net.forward(x, false);
            System.arraycopy(l.out.data, 0, out, from * width, n * width);
        }
        return out;
    }

    private Optimizer optimizer(long totalSteps, long warmupSteps) {
        LrSchedule schedule = LrSchedule.cosine(config.lr(), config.lr() / 100, Math.max(1, totalSteps - warmupSteps))
                .withWarmup(warmupSteps);
        return config.optimizer().equals("adam") ? Adam.adam(schedule, config.weightDecay())
                : new Sgd(schedule, 0.9f, true, config.weightDecay());
    }

    /** Copies of every weight of the trainable network (moving statistics included), by parameter name. */
    private Map<String, Tensor> snapshot() {
        Map<String, Tensor> s = new HashMap<>();
        for (Param p : net.weights()) s.put(p.name, p.value.copy());
        return s;
    }

    private void restore(Map<String, Tensor> saved, Path from) {
        for (Param p : net.weights()) {
            Tensor t = saved.get(p.name);
            if (t == null || t.size() != p.value.size()) throw UserError.about(from, "does not match this network (" + p.name + ")");
            System.arraycopy(t.data, 0, p.value.data, 0, t.size());
        }
    }

    private static int countCorrect(Tensor logits, int[] labels, int n) {
        int k = logits.dim(1), correct = 0;
        for (int i = 0; i < n; i++) if (UnknownThreshold.argmax(logits.data, i * k, k) == labels[i]) correct++;
        return correct;
    }

    static int[] labelsOf(Samples s) {
        int[] labels = new int[s.size()];
        for (int i = 0; i < labels.length; i++) labels[i] = s.label(i);
        return labels;
    }

    /** The first differing item of two comma-separated run descriptions: {@code lr=0.01 there, lr=0.1 now}. */
    static String difference(String saved, String now) {
        String[] a = saved.split(", "), b = now.split(", ");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) return a[i] + " there, " + b[i] + " now";
        }
        return saved + " there, " + now + " now";
    }

    /** Fisher–Yates shuffle of 0..n-1. */
    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A well-mixed seed for epoch {@code epoch} of a run seeded {@code seed} (SplitMix64's finaliser). */
    static long mix(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
