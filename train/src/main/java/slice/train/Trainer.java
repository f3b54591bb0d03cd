package slice.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Dropout;
import slice.engine.optim.Adam;
import slice.engine.optim.Loss;
import slice.engine.optim.LrSchedule;
import slice.engine.optim.Optimizer;
import slice.engine.optim.Sgd;
import slice.train.InvalidSetting.Setting;

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
 * <p>Resumable: after every epoch a {@link Checkpoint} is written atomically (while the next epoch trains). Every random
 * choice of epoch {@code e} (order, augmented copy, dropout masks) comes from generators seeded with (seed, e), so a
 * run restarted from the checkpoint of epoch {@code e} computes exactly what the uninterrupted run computed, bit for
 * bit.
 */
public final class Trainer {
    /** The optimiser: Adam (Keras' defaults), or SGD with Nesterov momentum 0.9. */
    public enum OptimizerKind {
        ADAM, SGD;

        Optimizer create(LrSchedule schedule, float weightDecay) {
            return this == ADAM ? Adam.adam(schedule, weightDecay) : new Sgd(schedule, 0.9f, true, weightDecay);
        }

        /** {@code adam} or {@code sgd}: how run identities and reports write it. */
        @Override public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Options of the training loop. */
    public record Config(int epochs, int batch, float lr, OptimizerKind optimizer, float labelSmoothing, float weightDecay,
                         int patience, long seed) {
        public Config {
            if (epochs < 1) throw new InvalidSetting(Setting.EPOCHS, " must be at least 1, got " + epochs);
            if (batch < 1) throw new InvalidSetting(Setting.BATCH, " must be at least 1, got " + batch);
            if (!(lr > 0 && Float.isFinite(lr))) throw new InvalidSetting(Setting.LEARNING_RATE, " must be positive and finite, got " + lr);
            Objects.requireNonNull(optimizer, "optimizer");
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw new InvalidSetting(Setting.LABEL_SMOOTHING, " must be in [0, 1), got " + labelSmoothing);
            }
            if (!(weightDecay >= 0 && Float.isFinite(weightDecay))) {
                throw new InvalidSetting(Setting.WEIGHT_DECAY, " must be >= 0 and finite, got " + weightDecay);
            }
            if (patience < 1) throw new InvalidSetting(Setting.PATIENCE, " must be at least 1, got " + patience);
        }

        /** {@code base} followed by these options, each named as here. */
        public RunIdentity identify(RunIdentity base) {
            return base.with("epochs", epochs).with("batch", batch).with("lr", lr).with("optimizer", optimizer)
                    .with("label smoothing", labelSmoothing).with("weight decay", weightDecay).with("patience", patience)
                    .with("seed", seed);
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
     * run of the same {@code run} identity. {@code onEpoch} receives each finished epoch after its checkpoint is
     * written, on the thread that writes the checkpoints ({@link CheckpointWriter}) while the next epoch trains; an
     * exception it throws ends the run before the next checkpoint is written. With an empty validation set the
     * training loss is watched instead.
     */
    public Result fit(Samples train, Samples val, Path checkpointFile, RunIdentity run, Consumer<EpochStats> onEpoch) {
        Optimizer optimizer = optimizer(train.size());
        EarlyStopping progress = Files.exists(checkpointFile) ? resume(checkpointFile, run, optimizer) : new EarlyStopping(snapshot());
        net.plan(Math.min(config.batch(), Math.max(1, train.size())));
        Batch batch = new Batch(config.batch());
        try (CheckpointWriter writer = new CheckpointWriter(checkpointFile)) {
            while (!progress.stopped && progress.epoch < config.epochs()) {
                EpochStats stats = epoch(progress.epoch + 1, train, val, optimizer, batch);
                checkNotDiverged(stats, checkpointFile, writer);
                progress.record(stats, config.patience(), this::snapshot);
                writer.write(progress.checkpoint(run, snapshot(), optimizer.state()), () -> onEpoch.accept(stats));
            }
            writer.awaitWritten();
        }
        restore(progress.bestWeights, checkpointFile);
        return new Result(List.copyOf(progress.history), progress.bestEpoch, progress.resumed);
    }

    /**
     * Writes each epoch's checkpoint on a thread of its own, so that the next epoch trains while the file is
     * serialised and flushed to disk. One write at a time, in epoch order: a write first waits for the one before,
     * and a failed write (or a failing {@code then}) is thrown by the next call on the training thread. The
     * checkpoint holds copies of the weights and optimiser state, taken before the next epoch changes them.
     */
    private static final class CheckpointWriter implements AutoCloseable {
        private final Path file;
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "checkpoint writer");
            t.setDaemon(true);
            return t;
        });
        private Future<?> pending = CompletableFuture.completedFuture(null);

        CheckpointWriter(Path file) {
            this.file = file;
        }

        /** Starts writing {@code checkpoint}, then runs {@code then}, once the previous write has finished. */
        void write(Checkpoint checkpoint, Runnable then) {
            awaitWritten();
            pending = thread.submit(() -> {
                checkpoint.save(file);
                then.run();
            });
        }

        /** Waits for the write in progress, if any; throws what it threw. */
        void awaitWritten() {
            try {
                pending.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing the checkpoint " + file, e);
            }
        }

        /** Lets a write in progress finish (the run is ending, maybe with an exception of its own), then stops the thread. */
        @Override public void close() {
            thread.shutdown();
            try {
                thread.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * How far above the loss of a uniform guess (ln K for K people) the mean training loss of an epoch may be before
     * the run counts as diverged. Training starts near ln K (a fresh head's logits are small) and a run that learns goes
     * below it; a loss 10⁴ times it means logits thousands apart, weights growing without bound, as a learning rate
     * far too high makes them. Measured against ln K rather than the first epoch's loss, it also stops a run that
     * blows up within its first epoch.
     */
    static final double DIVERGENCE_FACTOR = 1e4;

    /**
     * Stops a run whose epoch ended in a non-finite loss, a loss {@link #DIVERGENCE_FACTOR} times a uniform guess's, or
     * a non-finite weight: a {@link UserError} saying so, thrown before the epoch's checkpoint is written, so the
     * checkpoint on disk stays the last good epoch's (and a NaN never reaches a file).
     */
    private void checkNotDiverged(EpochStats stats, Path checkpointFile, CheckpointWriter writer) {
        double uniformGuess = Math.log(classes);
        String problem = null;
        if (!Double.isFinite(stats.loss()) || !Double.isFinite(stats.valLoss())) {
            problem = "training loss " + stats.loss() + ", validation loss " + stats.valLoss();
        } else if (stats.loss() > DIVERGENCE_FACTOR * uniformGuess) {
            problem = String.format(Locale.ROOT, "training loss %.4g, over %d times the %.4g of a uniform guess", stats.loss(),
                    (long) DIVERGENCE_FACTOR, uniformGuess);
        } else {
            for (Param p : net.weights()) {
                if (!allFinite(p.value)) {
                    problem = "weight " + p.name + " is no longer finite";
                    break;
                }
            }
        }
        if (problem == null) return;
        writer.awaitWritten();
        throw new UserError(String.format(Locale.ROOT, "training diverged in epoch %d (%s): use a lower --lr than %s; %s", stats.epoch(),
                problem, config.lr(), Files.exists(checkpointFile)
                        ? "the checkpoint of epoch " + (stats.epoch() - 1) + " is kept in " + checkpointFile
                          + " (a run with another --lr needs another --out, or that file deleted)"
                        : "no checkpoint was written"));
    }

    private static boolean allFinite(Tensor t) {
        for (int i = 0, n = t.size(); i < n; i++) if (!Float.isFinite(t.data[i])) return false;
        return true;
    }

    /** Cosine decay from {@code lr} to {@code lr/100} after a warm-up of one epoch, or a tenth of the run if shorter. */
    private Optimizer optimizer(int trainSize) {
        int stepsPerEpoch = (trainSize + config.batch() - 1) / config.batch();
        long totalSteps = (long) stepsPerEpoch * config.epochs(), warmupSteps = Math.min(stepsPerEpoch, totalSteps / 10);
        LrSchedule schedule = LrSchedule.cosine(config.lr(), config.lr() / 100, Math.max(1, totalSteps - warmupSteps))
                .withWarmup(warmupSteps);
        return config.optimizer().create(schedule, config.weightDecay());
    }

    /** The state of the checkpointed run, its weights and optimiser state restored; another run's checkpoint is refused. */
    private EarlyStopping resume(Path checkpointFile, RunIdentity run, Optimizer optimizer) {
        Checkpoint c = Checkpoint.load(checkpointFile);
        if (!c.run().equals(run)) {
            throw UserError.about(checkpointFile, "holds a different training run (" + c.run().difference(run)
                    + "); use another output folder, or delete it to start over");
        }
        restore(c.weights(), checkpointFile);
        optimizer.loadState(c.optimizer());
        return new EarlyStopping(c);
    }

    /** The input, output-gradient and label buffers of one mini-batch. */
    private final class Batch {
        final Tensor x, dLogits;
        final int[] labels;

        Batch(int size) {
            x = new Tensor(Tensor.withBatch(size, net.inputShape()));
            dLogits = new Tensor(size, classes);
            labels = new int[size];
        }
    }

    /** Mean loss and accuracy over a set. */
    private record Measured(double loss, double accuracy) { }

    /**
     * Epoch {@code epoch}: its random generator (seeded with the run's seed and the epoch) reseeds the dropout
     * layers and shuffles; then one pass of training, precise batch norm, and the validation measurement.
     */
    private EpochStats epoch(int epoch, Samples train, Samples val, Optimizer optimizer, Batch batch) {
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(mix(config.seed(), epoch));
        for (Layer l : net.layers()) if (l instanceof Dropout d) d.reseed(random.nextLong());
        Measured training = trainOnePass(train, random, optimizer, batch);
        preciseBatchNorm(train, batch.x);
        Measured validation = val.size() > 0 ? measure(val) : training;
        return new EpochStats(epoch, training.loss, training.accuracy, validation.loss, validation.accuracy,
                (System.nanoTime() - start) / 1e9, optimizer.currentLr());
    }

    /**
     * Mini-batches over a random order of {@code train}, one random augmented copy per image: forward → softmax
     * cross-entropy → backward → optimiser step. Returns the mean training loss and accuracy.
     */
    private Measured trainOnePass(Samples train, SplittableRandom random, Optimizer optimizer, Batch batch) {
        List<Param> params = net.trainableParams();
        int[] order = permutation(train.size(), random);
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < order.length; from += config.batch()) {
            int n = Math.min(config.batch(), order.length - from);
            batch.x.setBatch(n);
            batch.dLogits.setBatch(n);
            for (int b = 0; b < n; b++) {
                int i = order[from + b];
                train.read(i, random.nextInt(train.copies()), batch.x.data, b * train.sampleSize());
                batch.labels[b] = train.label(i);
            }
            Tensor logits = net.forward(batch.x, true);
            lossSum += (double) Loss.softmaxCrossEntropy(logits, batch.labels, config.labelSmoothing(), batch.dLogits) * n;
            correct += countCorrect(logits, batch.labels, n);
            net.backward(batch.dLogits);
            optimizer.step(params);
        }
        return new Measured(lossSum / Math.max(1, train.size()), (double) correct / Math.max(1, train.size()));
    }

    /** Loss and accuracy of {@code samples} (copy 0) in inference mode. */
    private Measured measure(Samples samples) {
        Tensor logits = Tensor.wrap(logits(samples, config.batch()), samples.size(), classes);
        int[] labels = labelsOf(samples);
        double loss = Loss.softmaxCrossEntropy(logits, labels, config.labelSmoothing(), null);
        return new Measured(loss, (double) countCorrect(logits, labels, samples.size()) / samples.size());
    }

    /**
     * Early stopping and the history of a run: the epochs done, the lowest validation loss, its epoch and weights.
     * After {@code patience} epochs without a new minimum the run stops (Keras' {@code EarlyStopping}).
     */
    private static final class EarlyStopping {
        final List<EpochStats> history = new ArrayList<>();
        int epoch, bestEpoch;
        boolean stopped, resumed;
        double bestLoss = Double.POSITIVE_INFINITY;
        Map<String, Tensor> bestWeights;

        /** A fresh run, starting from {@code initialWeights}. */
        EarlyStopping(Map<String, Tensor> initialWeights) {
            bestWeights = initialWeights;
        }

        /** A run continued from its checkpoint. */
        EarlyStopping(Checkpoint c) {
            history.addAll(c.history());
            epoch = c.epoch();
            stopped = c.stopped();
            bestEpoch = c.bestEpoch();
            bestLoss = c.bestValLoss();
            bestWeights = c.bestWeights();
            resumed = true;
        }

        void record(EpochStats stats, int patience, Supplier<Map<String, Tensor>> weights) {
            epoch = stats.epoch();
            if (stats.valLoss() < bestLoss) {
                bestLoss = stats.valLoss();
                bestEpoch = epoch;
                bestWeights = weights.get();
            } else if (epoch - bestEpoch >= patience) {
                stopped = true;
            }
            history.add(stats);
        }

        Checkpoint checkpoint(RunIdentity run, Map<String, Tensor> weights, Map<String, Tensor> optimizerState) {
            return new Checkpoint(run, epoch, stopped, bestEpoch, bestLoss, List.copyOf(history), weights, bestWeights, optimizerState);
        }
    }

    /**
     * Sets the moving statistics of every trained batch norm to the mean, over the training set (copy 0 of every
     * image, in order), of the batch statistics that training normalised with ("precise BN", Wu &amp; Johnson 2021),
     * each batch weighted by its size. Why: with Keras' momentum 0.999 a few hundred steps leave the moving
     * statistics almost at their ImageNet values, far from the batch statistics of faces the fine-tuned layers learnt
     * to expect, so inference (validation, test, prediction) would see different activations than training did. One
     * forward pass per epoch fixes that.
     */
    private void preciseBatchNorm(Samples train, Tensor x) {
        List<Node> norms = new ArrayList<>();
        for (Node node : net.nodes()) if (node.layer instanceof BatchNorm && node.layer.isTrainable()) norms.add(node);
        if (norms.isEmpty()) return;
        double[][] meanSum = new double[norms.size()][], varSum = new double[norms.size()][];
        for (int k = 0; k < norms.size(); k++) {
            meanSum[k] = new double[((BatchNorm) norms.get(k).layer).channels];
            varSum[k] = new double[meanSum[k].length];
        }
        for (int from = 0; from < train.size(); from += config.batch()) {
            int n = Math.min(config.batch(), train.size() - from);
            x.setBatch(n);
            for (int b = 0; b < n; b++) train.read(from + b, 0, x.data, b * train.sampleSize());
            net.forward(x, true);
            for (int k = 0; k < norms.size(); k++) {
                float[] mean = new float[meanSum[k].length], variance = new float[meanSum[k].length];
                ((BatchNorm) norms.get(k).layer).lastBatchStatistics(norms.get(k), mean, variance);
                for (int j = 0; j < mean.length; j++) {
                    meanSum[k][j] += (double) mean[j] * n;
                    varSum[k][j] += (double) variance[j] * n;
                }
            }
        }
        for (int k = 0; k < norms.size(); k++) {
            BatchNorm bn = (BatchNorm) norms.get(k).layer;
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
            System.arraycopy(net.activation(l).data, 0, out, from * width, n * width);
        }
        return out;
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
