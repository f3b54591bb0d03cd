package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Param;
import slice.engine.Tensor;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Dropout;
import slice.engine.layers.ReLU;
import slice.engine.optim.Loss;

/** The training loop on a small fake model: it learns, stops early with the best weights, and resumes bit-exactly. */
class TrainerTest {
    static final int DIM = 6, CLASSES = 3;
    @TempDir Path dir;

    /** Input[6] → Affine(12) → BatchNorm → ReLU → Dropout(0.3) → Affine(3): every kind of state a head carries. */
    static Graph smallNet() {
        Input in = new Input("features", DIM);
        Affine hidden = new Affine("hidden", in, 12, 1);
        BatchNorm bn = new BatchNorm("hidden_bn", hidden, true, 1e-3f, 0.9f);
        ReLU relu = new ReLU("hidden_relu", bn);
        Dropout drop = new Dropout("dropout", relu, 0.3f, 7);
        return new Graph(in, new Affine("logits", drop, CLASSES, 2));
    }

    /** Three noisy Gaussian clusters, two "augmented" copies per image (the second slightly jittered). */
    static Samples clusters(int n, long seed) {
        Random r = new Random(seed);
        int[] labels = new int[n];
        float[] data = new float[n * 2 * DIM];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
            for (int d = 0; d < DIM; d++) {
                float v = (d % CLASSES == labels[i] ? 1.5f : 0f) + (float) r.nextGaussian();
                data[(i * 2) * DIM + d] = v;
                data[(i * 2 + 1) * DIM + d] = v + 0.1f * (float) r.nextGaussian();
            }
        }
        return new InMemory(data, DIM, 2, labels);
    }

    /** Rows held in one array, {@code data[(i · copies + copy) · sampleSize ..]}. */
    record InMemory(float[] data, int sampleSize, int copies, int[] labels) implements Samples {
        @Override public int size() { return labels.length; }
        @Override public int label(int i) { return labels[i]; }
        @Override public void read(int i, int copy, float[] dst, int offset) {
            System.arraycopy(data, (i * copies + copy) * sampleSize, dst, offset, sampleSize);
        }
    }

    private static final RunIdentity RUN = RunIdentity.EMPTY.with("run", "test");

    static Trainer.Config config(int epochs, int patience) {
        return new Trainer.Config(epochs, 8, 0.01f, Trainer.OptimizerKind.ADAM, 0.1f, 0f, patience, 42);
    }

    static List<float[]> weightsOf(Graph g) {
        List<float[]> w = new ArrayList<>();
        for (Param p : g.weights()) w.add(p.value.data.clone());
        return w;
    }

    @Test
    void learnsTheClusters() throws Exception {
        Graph net = smallNet();
        Trainer.Result r = new Trainer(net, config(15, 15)).fit(clusters(90, 1), clusters(30, 2), dir.resolve("ckpt"), RUN, s -> { });
        assertEquals(15, r.history().size());
        EpochStats best = r.history().get(r.bestEpoch() - 1);
        assertTrue(best.valAccuracy() > 0.8, "val accuracy " + best.valAccuracy());
        assertTrue(r.history().get(14).loss() < r.history().get(0).loss());
    }

    /**
     * Checkpoints are written while the next epoch trains, yet each epoch is reported only once its own checkpoint is on
     * disk, in order, holding that epoch's history and no later one's.
     */
    @Test
    void eachEpochIsReportedOnceItsCheckpointIsWritten() {
        Path ckpt = dir.resolve("h");
        List<Integer> reported = new ArrayList<>();
        new Trainer(smallNet(), config(6, 6)).fit(clusters(30, 1), clusters(9, 2), ckpt, RUN, s -> {
            Checkpoint written = Checkpoint.load(ckpt);
            assertEquals(s.epoch(), written.epoch());
            assertEquals(s.epoch(), written.history().size());
            assertEquals(s.valLoss(), written.history().get(s.epoch() - 1).valLoss());
            reported.add(s.epoch());
        });
        assertEquals(List.of(1, 2, 3, 4, 5, 6), reported);
        assertEquals(6, Checkpoint.load(ckpt).epoch());
    }

    @Test
    void resumedRunEqualsTheUninterruptedOneBitForBit() throws Exception {
        Samples train = clusters(50, 3), val = clusters(15, 4);
        Graph uninterrupted = smallNet();
        Trainer.Result full = new Trainer(uninterrupted, config(7, 7)).fit(train, val, dir.resolve("a"), RUN, s -> { });

        Path ckpt = dir.resolve("b");
        RuntimeException kill = new RuntimeException("killed");
        assertThrows(RuntimeException.class, () -> new Trainer(smallNet(), config(7, 7)).fit(train, val, ckpt, RUN, s -> {
            if (s.epoch() == 3) throw kill;
        }));
        assertEquals(3, Checkpoint.load(ckpt).epoch());
        Graph resumedNet = smallNet();
        Trainer.Result resumed = new Trainer(resumedNet, config(7, 7)).fit(train, val, ckpt, RUN, s -> { });

        assertTrue(resumed.resumed());
        assertFalse(full.resumed());
        assertEquals(full.bestEpoch(), resumed.bestEpoch());
        List<float[]> a = weightsOf(uninterrupted), b = weightsOf(resumedNet);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), uninterrupted.weights().get(i).name);
        for (int e = 0; e < 7; e++) {
            EpochStats x = full.history().get(e), y = resumed.history().get(e);
            assertEquals(x.loss(), y.loss(), 0.0);
            assertEquals(x.valLoss(), y.valLoss(), 0.0);
        }
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() throws Exception {
        // Tiny noisy data and a high learning rate: validation loss stops improving quickly.
        Samples train = clusters(12, 5), val = clusters(9, 6);
        Graph net = smallNet();
        Trainer trainer = new Trainer(net, new Trainer.Config(60, 4, 0.05f, Trainer.OptimizerKind.SGD, 0f, 0f, 3, 1));
        Trainer.Result r = trainer.fit(train, val, dir.resolve("c"), RUN, s -> { });
        assertTrue(r.history().size() < 60, "stopped early: " + r.history().size());
        assertEquals(r.bestEpoch() + 3, r.history().size());
        double bestVal = r.history().stream().mapToDouble(EpochStats::valLoss).min().orElseThrow();
        assertEquals(bestVal, r.history().get(r.bestEpoch() - 1).valLoss(), 0.0);
        float[] logits = trainer.logits(val, 4);
        double now = Loss.softmaxCrossEntropy(Tensor.wrap(logits, val.size(), CLASSES), Trainer.labelsOf(val), 0f, null);
        assertEquals(bestVal, now, 1e-6, "the network holds the best epoch's weights");
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused() throws Exception {
        Path ckpt = dir.resolve("d");
        RunIdentity saved = RunIdentity.EMPTY.with("backbone", "mobilenetv2").with("lr", 0.01f).with("seed", 1);
        RunIdentity now = RunIdentity.EMPTY.with("backbone", "mobilenetv2").with("lr", 0.1f).with("seed", 1);
        new Trainer(smallNet(), config(1, 1)).fit(clusters(9, 1), clusters(6, 2), ckpt, saved, s -> { });
        UserError e = assertThrows(UserError.class,
                () -> new Trainer(smallNet(), config(1, 1)).fit(clusters(9, 1), clusters(6, 2), ckpt, now, s -> { }));
        assertEquals(ckpt + ": holds a different training run (lr 0.01 there, lr 0.1 now); use another output folder,"
                + " or delete it to start over", e.getMessage());
    }

    @Test
    void aRunThatBlowsUpInItsFirstEpochStopsBeforeWritingACheckpoint() {
        Path ckpt = dir.resolve("f");
        Trainer trainer = new Trainer(smallNet(), new Trainer.Config(5, 8, 1e30f, Trainer.OptimizerKind.ADAM, 0.1f, 0f, 5, 1));
        UserError e = assertThrows(UserError.class, () -> trainer.fit(clusters(30, 1), clusters(9, 2), ckpt, RUN, s -> { }));
        assertTrue(e.getMessage().startsWith("training diverged in epoch 1 ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("): use a lower --lr than 1.0E30; no checkpoint was written"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(ckpt));
    }

    /**
     * Validation rows that turn NaN after their first reading (epoch 1's measurement): epoch 2's loss is NaN, the run
     * stops with a message naming the kept checkpoint, and that checkpoint is still epoch 1's, readable and finite.
     */
    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() {
        Samples good = clusters(9, 2);
        int[] reads = {0};
        Samples turningNaN = new Samples() {
            @Override public int size() { return good.size(); }
            @Override public int copies() { return good.copies(); }
            @Override public int sampleSize() { return DIM; }
            @Override public int label(int i) { return good.label(i); }
            @Override public void read(int i, int copy, float[] dst, int offset) {
                good.read(i, copy, dst, offset);
                if (reads[0]++ >= good.size()) java.util.Arrays.fill(dst, offset, offset + DIM, Float.NaN);
            }
        };
        Path ckpt = dir.resolve("g");
        UserError e = assertThrows(UserError.class,
                () -> new Trainer(smallNet(), config(5, 5)).fit(clusters(30, 1), turningNaN, ckpt, RUN, s -> { }));
        assertEquals("training diverged in epoch 2 (training loss " + e.getMessage().split("training loss ")[1].split(",")[0]
                + ", validation loss NaN): use a lower --lr than 0.01; the checkpoint of epoch 1 is kept in " + ckpt
                + " (a run with another --lr needs another --out, or that file deleted)", e.getMessage());
        Checkpoint kept = Checkpoint.load(ckpt);
        assertEquals(1, kept.epoch());
        assertTrue(Double.isFinite(kept.bestValLoss()));
    }

    /**
     * After an epoch the trained batch norm's moving statistics are the size-weighted mean, over the training set's
     * batches (copy 0, in order), of the batch mean and biased variance of its input, recomputed here in double from
     * the trained {@code hidden} layer's weights.
     */
    @Test
    void preciseBatchNormSetsTheMovingStatisticsToTheMeanBatchStatistics() {
        Samples train = clusters(20, 8);   // batches of 8, 8 and 4
        Graph net = smallNet();
        new Trainer(net, config(1, 1)).fit(train, clusters(6, 9), dir.resolve("e"), RUN, s -> { });
        Affine hidden = (Affine) net.layer("hidden");
        BatchNorm bn = (BatchNorm) net.layer("hidden_bn");
        int units = 12;
        double[] mean = new double[units], variance = new double[units];
        float[] row = new float[DIM];
        for (int from = 0; from < train.size(); from += 8) {
            int n = Math.min(8, train.size() - from);
            double[][] h = new double[n][units];
            for (int b = 0; b < n; b++) {
                train.read(from + b, 0, row, 0);
                for (int o = 0; o < units; o++) {
                    h[b][o] = hidden.bias.value.data[o];
                    for (int i = 0; i < DIM; i++) h[b][o] += (double) row[i] * hidden.kernel.value.data[i * units + o];
                }
            }
            for (int o = 0; o < units; o++) {
                double m = 0, v = 0;
                for (int b = 0; b < n; b++) m += h[b][o] / n;
                for (int b = 0; b < n; b++) v += (h[b][o] - m) * (h[b][o] - m) / n;
                mean[o] += m * n;
                variance[o] += v * n;
            }
        }
        for (int o = 0; o < units; o++) {
            assertEquals(mean[o] / train.size(), bn.movingMean.value.data[o], 1e-5, "mean " + o);
            assertEquals(variance[o] / train.size(), bn.movingVariance.value.data[o], 1e-5, "variance " + o);
        }
    }
}
