package slice.bench.research;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import slice.models.ModelSpec;
import slice.train.FaceModel;
import slice.train.RunIdentity;
import slice.train.Features;
import slice.train.Samples;
import slice.train.Trainer;
import slice.train.UnknownScore;
import slice.train.UnknownThreshold;
import slice.train.data.CachedFeatures;
import slice.train.data.Dataset;
import slice.train.data.FeatureCache;
import slice.train.data.Hashes;
import slice.train.data.Progress;
import slice.train.data.Sample;
import slice.train.data.Split;
import slice.weights.KerasImport;
import slice.weights.io.SliceCache;

/**
 * Open-set measurement of unknown-face scores on real faces: train the head on some people, then score the test
 * images of those people (should be answered) and every image of the others (strangers, should be {@code unknown}).
 * Reports, per score: AUROC (known test vs strangers); at the threshold calibrated on validation by the product's
 * rule ({@link UnknownThreshold}) the fraction of strangers rejected and of known test images rejected; and the
 * fraction of strangers rejected at the threshold that rejects 5 % of the known test images (an operating point free
 * of the calibration's noise). Embeddings are the cached pooled backbone features (head-only training).
 *
 * <pre>
 *   mvn -B -ntp -DskipTests package      # then, from the checkout:
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *       slice.bench.research.OpenSetStudy ../shared/data/faces/att_faces \
 *       ../shared/data/models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5 0.5 224 10 3
 *   (args: DATA WEIGHTS ALPHA SIZE UNSEEN SEEDS [FEATURE-CACHE])
 * </pre>
 * {@code UNSEEN} people are held out, chosen at random per seed; {@code SEEDS} folds are averaged. Default head,
 * training options and split (as {@code train} with no options).
 */
public final class OpenSetStudy {
    /** One way to score "how known is this face" from the head's logits and the pooled embedding. */
    interface Score {
        float of(float[] logits, float[] embedding, Fitted c, float[][] trainUnit);
    }

    /**
     * What the scores of one fold are computed from, fitted on its training images: centroids of the raw, centred,
     * per-dimension whitened ({@code scale} = 1 / within-person standard deviation) embeddings and of the logits, and
     * the shipped {@link UnknownScore}.
     */
    record Fitted(Centroids plain, Centroids centred, Centroids logit, Centroids whitened, float[] scale, UnknownScore shipped) {
    }

    /**
     * Per-person centroids of unit embeddings {@code u = (e − μ)/‖e − μ‖}, {@code μ} the mean training embedding or
     * zero: the variants of {@link UnknownScore} that were measured (uncentred, whitened, in logit space).
     */
    record Centroids(float[] mean, float[] centroids, int classes, int dim) {
        static Centroids of(float[] embeddings, int dim, int[] labels, int classes, boolean centred) {
            int n = labels.length;
            float[] mean = new float[dim];
            if (centred) {
                double[] m = new double[dim];
                for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) m[j] += embeddings[i * dim + j];
                for (int j = 0; j < dim; j++) mean[j] = (float) (m[j] / Math.max(1, n));
            }
            Centroids c = new Centroids(mean, new float[classes * dim], classes, dim);
            double[] sums = new double[classes * dim];
            for (int i = 0; i < n; i++) {
                float[] u = c.unit(java.util.Arrays.copyOfRange(embeddings, i * dim, (i + 1) * dim));
                for (int j = 0; j < dim; j++) sums[labels[i] * dim + j] += u[j];
            }
            for (int k = 0; k < classes; k++) {
                double norm = 0;
                for (int j = 0; j < dim; j++) norm += sums[k * dim + j] * sums[k * dim + j];
                double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
                for (int j = 0; j < dim; j++) c.centroids[k * dim + j] = (float) (sums[k * dim + j] * inv);
            }
            return c;
        }

        float[] unit(float[] e) {
            float[] u = new float[dim];
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                u[j] = e[j] - mean[j];
                norm += (double) u[j] * u[j];
            }
            float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
            for (int j = 0; j < dim; j++) u[j] *= inv;
            return u;
        }

        float[] cosines(float[] e) {
            float[] u = unit(e), cos = new float[classes];
            for (int k = 0; k < classes; k++) {
                double d = 0;
                for (int j = 0; j < dim; j++) d += (double) u[j] * centroids[k * dim + j];
                cos[k] = (float) d;
            }
            return cos;
        }
    }

    record Named(String name, Score score) { }

    static final List<Named> SCORES = List.of(
            new Named("max softmax (before)", (l, e, c, t) -> maxSoftmax(l)),
            new Named("UnknownScore (shipped)", (l, e, c, t) -> c.shipped().scores(softmax(l), e, 1)[0]),
            new Named("max logit", (l, e, c, t) -> l[top(l)]),
            new Named("energy (logsumexp)", (l, e, c, t) -> logSumExp(l)),
            new Named("cos centroid, max", (l, e, c, t) -> max(c.plain().cosines(e))),
            new Named("cos centroid, predicted", (l, e, c, t) -> c.plain().cosines(e)[top(l)]),
            new Named("centred cos centroid, max", (l, e, c, t) -> max(c.centred().cosines(e))),
            new Named("centred cos centroid, pred", (l, e, c, t) -> c.centred().cosines(e)[top(l)]),
            new Named("cos nearest train", (l, e, c, t) -> nearest(c.plain().unit(e), t)),
            new Named("max logit − mean logit", (l, e, c, t) -> l[top(l)] - mean(l)),
            new Named("logit-space cos, max", (l, e, c, t) -> max(c.logit().cosines(l))),
            new Named("logit-space cos, pred", (l, e, c, t) -> c.logit().cosines(l)[top(l)]),
            new Named("whitened cos, max", (l, e, c, t) -> max(c.whitened().cosines(scaled(e, c.scale())))),
            new Named("whitened cos, pred", (l, e, c, t) -> c.whitened().cosines(scaled(e, c.scale()))[top(l)]),
            new Named("whitened cos max × softmax", (l, e, c, t) -> max(c.whitened().cosines(scaled(e, c.scale()))) * maxSoftmax(l)),
            new Named("logit-space cos pred × softmax", (l, e, c, t) -> c.logit().cosines(l)[top(l)] * maxSoftmax(l)));

    public static void main(String[] args) throws Exception {
        Path cacheDir = args.length > 6 ? Path.of(args[6]) : SliceCache.standard().features();
        measure(Path.of(args[0]), Path.of(args[1]), Float.parseFloat(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), cacheDir, SCORES);
    }

    /**
     * Runs {@code seeds} folds (a different random set of {@code unseenCount} strangers each), prints each fold and
     * the mean, and returns the mean per score of: AUROC, strangers rejected and known test images rejected at the
     * calibrated threshold, strangers rejected when 5 % of the known test images are.
     */
    static double[][] measure(Path data, Path weights, float alpha, int size, int unseenCount, int seeds, Path cacheDir,
                              List<Named> scores) throws Exception {
        Dataset dataset = Dataset.scan(data);
        ModelSpec spec = ModelSpec.of("mobilenetv2", alpha, size, false, 0);
        int classesAll = dataset.classes().size();
        FaceModel extractorModel = FaceModel.build(spec, null, null, new FaceModel.Head(0, 0.2f), classesAll, 1);
        KerasImport.load(weights, extractorModel.backbone());
        FeatureCache cache = new FeatureCache(cacheDir, new FeatureCache.Spec(FaceModel.describe(spec), Hashes.sha256Hex(weights),
                extractorModel.cacheKey(), size, spec.preprocessing()), null, null);
        Features extraction = new Features(extractorModel.extractor);
        long t0 = System.nanoTime();
        CachedFeatures all = cache.features(dataset.samples(), 1, extraction, extraction.batch, Progress.none());
        System.out.printf(Locale.ROOT, "%s: %d people, %d images, features %.1f s (%s)%n", data, classesAll, all.size(),
                (System.nanoTime() - t0) / 1e9, FaceModel.describe(spec));
        int dim = all.sampleSize();
        float[][] features = new float[all.size()][dim];
        for (int i = 0; i < all.size(); i++) all.read(i, 0, features[i], 0);

        double[][] sums = new double[scores.size()][4];
        for (int seed = 1; seed <= seeds; seed++) {
            List<Integer> people = new ArrayList<>();
            for (int p = 0; p < classesAll; p++) people.add(p);
            Collections.shuffle(people, new Random(seed));
            List<Integer> unseen = people.subList(0, unseenCount), known = new ArrayList<>(people.subList(unseenCount, classesAll));
            Collections.sort(known);
            List<Sample> knownSamples = new ArrayList<>();
            List<Integer> knownIndex = new ArrayList<>(), strangerIndex = new ArrayList<>();
            for (int i = 0; i < dataset.samples().size(); i++) {
                Sample s = dataset.samples().get(i);
                int k = known.indexOf(s.label());
                if (k >= 0) {
                    knownSamples.add(new Sample(s.file(), s.name(), k, s.sha256()));
                    knownIndex.add(i);
                } else {
                    strangerIndex.add(i);
                }
            }
            Split split = Split.of(knownSamples, known.size(), new Split.Config(0.1, 0.2, 1));
            List<Integer> train = new ArrayList<>(), val = new ArrayList<>(), test = new ArrayList<>();
            for (int j = 0; j < knownSamples.size(); j++) {
                (switch (split.part(j)) { case TRAIN -> train; case VAL -> val; case TEST -> test; }).add(j);
            }
            FaceModel faces = FaceModel.build(spec, null, null, new FaceModel.Head(0, 0.2f), known.size(), 1);
            Trainer.Config config = new Trainer.Config(30, 32, 0.001f, Trainer.OptimizerKind.ADAM, 0.1f, 0f, 5, 1);
            Trainer trainer = new Trainer(faces.trainable, config);
            Path checkpoint = Files.createTempFile("openset", ".safetensors");
            Files.delete(checkpoint);
            trainer.fit(rows(features, knownSamples, knownIndex, train), rows(features, knownSamples, knownIndex, val), checkpoint,
                    RunIdentity.EMPTY.with("run", "study"), s -> { });
            Files.deleteIfExists(checkpoint);

            float[][] trainE = new float[train.size()][];
            int[] trainLabels = new int[train.size()];
            for (int j = 0; j < train.size(); j++) {
                trainE[j] = features[knownIndex.get(train.get(j))];
                trainLabels[j] = knownSamples.get(train.get(j)).label();
            }
            float[] scale = withinClassInverseStd(trainE, trainLabels, known.size());
            float[][] trainScaled = new float[train.size()][];
            for (int j = 0; j < train.size(); j++) trainScaled[j] = scaled(trainE[j], scale);
            Fitted centroids = new Fitted(Centroids.of(flatten(trainE), dim, trainLabels, known.size(), false),
                    Centroids.of(flatten(trainE), dim, trainLabels, known.size(), true),
                    Centroids.of(trainer.logits(rows(features, knownSamples, knownIndex, train), 32), known.size(), trainLabels,
                            known.size(), true),
                    Centroids.of(flatten(trainScaled), dim, trainLabels, known.size(), true), scale,
                    UnknownScore.fit(flatten(trainE), trainLabels, known.size(), dim));
            float[][] trainUnit = new float[train.size()][];
            for (int j = 0; j < train.size(); j++) trainUnit[j] = centroids.plain().unit(trainE[j]);

            Scored valS = score(scores, trainer, rows(features, knownSamples, knownIndex, val), centroids, trainUnit);
            Scored testS = score(scores, trainer, rows(features, knownSamples, knownIndex, test), centroids, trainUnit);
            Scored strangerS = score(scores, trainer, rowsOf(features, strangerIndex), centroids, trainUnit);
            System.out.printf(Locale.ROOT, "fold %d: %d known people (%d train, %d val, %d test images), %d strangers (%d images);"
                    + " test accuracy %.3f%n", seed, known.size(), train.size(), val.size(), test.size(), unseen.size(),
                    strangerIndex.size(), testS.accuracy(labelsOf(knownSamples, test)));
            for (int s = 0; s < scores.size(); s++) {
                float threshold = calibrate(valS.scores[s], valS.predicted, labelsOf(knownSamples, val));
                double auroc = auroc(testS.scores[s], strangerS.scores[s]);
                double rejectedStrangers = below(strangerS.scores[s], threshold), rejectedKnown = below(testS.scores[s], threshold);
                sums[s][0] += auroc;
                sums[s][1] += rejectedStrangers;
                sums[s][2] += rejectedKnown;
                double atFivePercent = below(strangerS.scores[s], fifthPercentile(testS.scores[s]));
                sums[s][3] += atFivePercent;
                System.out.printf(Locale.ROOT, "  %-28s AUROC %.3f  strangers rejected %5.1f %%  known rejected %5.1f %%  (threshold %.4f);"
                        + " strangers rejected when 5 %% of known test images are: %5.1f %%%n",
                        scores.get(s).name(), auroc, 100 * rejectedStrangers, 100 * rejectedKnown, threshold, 100 * atFivePercent);
            }
        }
        System.out.printf(Locale.ROOT, "mean of %d folds:%n| score | AUROC | strangers rejected | known rejected"
                + " | strangers rejected at 5 %% known rejected |%n|---|---:|---:|---:|---:|%n", seeds);
        for (int s = 0; s < scores.size(); s++) {
            for (int m = 0; m < 4; m++) sums[s][m] /= seeds;
            System.out.printf(Locale.ROOT, "| %-28s | %.3f | %5.1f %% | %5.1f %% | %5.1f %% |%n", scores.get(s).name(), sums[s][0],
                    100 * sums[s][1], 100 * sums[s][2], 100 * sums[s][3]);
        }
        return sums;
    }

    record Scored(float[][] scores, int[] predicted) {
        double accuracy(int[] labels) {
            int c = 0;
            for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) c++;
            return (double) c / labels.length;
        }
    }

    private static Scored score(List<Named> named, Trainer trainer, Samples samples, Fitted centroids, float[][] trainUnit) {
        int n = samples.size(), dim = samples.sampleSize();
        float[] logits = trainer.logits(samples, 32);
        int k = logits.length / Math.max(1, n);
        float[][] scores = new float[named.size()][n];
        int[] predicted = new int[n];
        float[] e = new float[dim];
        for (int i = 0; i < n; i++) {
            samples.read(i, 0, e, 0);
            float[] l = java.util.Arrays.copyOfRange(logits, i * k, (i + 1) * k);
            predicted[i] = UnknownThreshold.argmax(l, 0, k);
            for (int s = 0; s < named.size(); s++) scores[s][i] = named.get(s).score().of(l, e, centroids, trainUnit);
        }
        return new Scored(scores, predicted);
    }

    /** The product's rule: keep 95 % of the scores of correctly classified validation images. */
    static float calibrate(float[] scores, int[] predicted, int[] labels) {
        List<Float> correct = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) correct.add(scores[i]);
        Collections.sort(correct);
        return correct.isEmpty() ? Float.NEGATIVE_INFINITY : correct.get((int) Math.floor(0.05 * correct.size()));
    }

    /** P(score of a known test image > score of a stranger), ties half. */
    static double auroc(float[] known, float[] strangers) {
        double wins = 0;
        for (float a : known) for (float b : strangers) wins += a > b ? 1 : a == b ? 0.5 : 0;
        return wins / ((double) known.length * strangers.length);
    }

    /** The threshold below which 5 % of {@code scores} lie (the test-set operating point of the usual "FPR at 95 % TPR"). */
    static float fifthPercentile(float[] scores) {
        float[] sorted = scores.clone();
        java.util.Arrays.sort(sorted);
        return sorted[(int) Math.floor(0.05 * sorted.length)];
    }

    static double below(float[] scores, float threshold) {
        int n = 0;
        for (float s : scores) if (s < threshold) n++;
        return (double) n / scores.length;
    }

    static float maxSoftmax(float[] l) {
        float m = l[top(l)];
        double sum = 0;
        for (float v : l) sum += Math.exp(v - m);
        return (float) (1 / sum);
    }

    static float[] softmax(float[] l) {
        float m = l[top(l)];
        float[] p = new float[l.length];
        double sum = 0;
        for (int j = 0; j < l.length; j++) sum += p[j] = (float) Math.exp(l[j] - m);
        for (int j = 0; j < l.length; j++) p[j] /= sum;
        return p;
    }

    static float logSumExp(float[] l) {
        float m = l[top(l)];
        double sum = 0;
        for (float v : l) sum += Math.exp(v - m);
        return (float) (m + Math.log(sum));
    }

    static float[] scaled(float[] e, float[] scale) {
        float[] out = new float[e.length];
        for (int j = 0; j < e.length; j++) out[j] = e[j] * scale[j];
        return out;
    }

    static float[] withinClassInverseStd(float[][] e, int[] labels, int classes) {
        int d = e[0].length;
        double[][] mean = new double[classes][d];
        int[] count = new int[classes];
        for (int i = 0; i < e.length; i++) {
            count[labels[i]]++;
            for (int j = 0; j < d; j++) mean[labels[i]][j] += e[i][j];
        }
        for (int k = 0; k < classes; k++) for (int j = 0; j < d; j++) mean[k][j] /= Math.max(1, count[k]);
        double[] var = new double[d];
        for (int i = 0; i < e.length; i++) for (int j = 0; j < d; j++) {
            double x = e[i][j] - mean[labels[i]][j];
            var[j] += x * x;
        }
        double avg = 0;
        for (int j = 0; j < d; j++) avg += var[j] / e.length / d;
        float[] s = new float[d];
        for (int j = 0; j < d; j++) s[j] = (float) (1 / Math.sqrt(var[j] / e.length + 0.1 * avg));
        return s;
    }

    static float mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return (float) (s / v.length);
    }

    /** Index of the largest value (the first of equals), as {@link UnknownThreshold#argmax} picks the predicted person. */
    static int top(float[] v) {
        return UnknownThreshold.argmax(v, 0, v.length);
    }

    static float max(float[] v) {
        return v[top(v)];
    }

    static float nearest(float[] u, float[][] trainUnit) {
        float best = -2;
        for (float[] t : trainUnit) {
            float d = 0;
            for (int j = 0; j < u.length; j++) d += u[j] * t[j];
            best = Math.max(best, d);
        }
        return best;
    }

    private static int[] labelsOf(List<Sample> samples, List<Integer> idx) {
        int[] l = new int[idx.size()];
        for (int j = 0; j < l.length; j++) l[j] = samples.get(idx.get(j)).label();
        return l;
    }

    private static float[] flatten(float[][] rows) {
        int d = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[rows.length * d];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * d, d);
        return out;
    }

    private static Samples rows(float[][] features, List<Sample> known, List<Integer> knownIndex, List<Integer> part) {
        List<Integer> idx = new ArrayList<>();
        int[] labels = new int[part.size()];
        for (int j = 0; j < part.size(); j++) {
            idx.add(knownIndex.get(part.get(j)));
            labels[j] = known.get(part.get(j)).label();
        }
        return rows(features, idx, labels);
    }

    private static Samples rowsOf(float[][] features, List<Integer> idx) {
        return rows(features, idx, new int[idx.size()]);
    }

    private static Samples rows(float[][] features, List<Integer> idx, int[] labels) {
        int dim = features[0].length;
        return new Samples() {
            @Override public int size() { return idx.size(); }
            @Override public int copies() { return 1; }
            @Override public int sampleSize() { return dim; }
            @Override public int label(int i) { return labels[i]; }
            @Override public void read(int i, int copy, float[] dst, int offset) {
                System.arraycopy(features[idx.get(i)], 0, dst, offset, dim);
            }
        };
    }
}
