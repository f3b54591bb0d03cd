package slice.train.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A stable, stratified train / validation / test split.
 *
 * <p>Each file draws {@code u = uniform(SHA-256(seed + ":" + name))} in [0, 1) from its relative name alone
 * ({@link Sample#name()}, e.g. {@code "alice/img1.jpg"}): {@code u < test} → test, {@code u < test + val} →
 * validation, else train. So a file's split does not depend on the other files, and adding photos leaves the others
 * where they were (the idea of TensorFlow's retrain.py). The fractions hold per class in expectation.
 *
 * <p>Then per-class minimums, which move as few files as possible: every class gets a test image (the lowest-u file
 * of the class moves to test if none drew it), then a train image (the highest-u file not in test), then, when the
 * validation fraction is positive and the class has at least 3 images, a validation image (the lowest-u train file,
 * if train keeps at least one, else the highest-u test file if test keeps at least one). Only a class too small to
 * meet its minimums by chance can see a file move when photos are added to it.
 */
public final class Split {
    /** Which part a sample belongs to. */
    public enum Part { TRAIN, VAL, TEST }

    /** Split settings: fractions of each class for validation and test (the rest trains), and the seed. */
    public record Config(double valFraction, double testFraction, long seed) {
        public Config {
            if (valFraction < 0 || testFraction < 0 || valFraction + testFraction >= 1)
                throw new IllegalArgumentException("need val >= 0, test >= 0 and val + test < 1; got val "
                    + valFraction + ", test " + testFraction);
        }
    }

    private final List<Sample> samples;
    private final Part[] parts;

    private Split(List<Sample> samples, Part[] parts) {
        this.samples = samples;
        this.parts = parts;
    }

    /** Splits the samples of {@code dataset} (see the class comment). */
    public static Split of(Dataset dataset, Config config) {
        return of(dataset.samples(), dataset.classes().size(), config);
    }

    /** Splits {@code samples} whose labels are in {@code [0, classCount)}. */
    public static Split of(List<Sample> samples, int classCount, Config config) {
        int n = samples.size();
        double[] u = new double[n];
        Part[] parts = new Part[n];
        for (int i = 0; i < n; i++) {
            u[i] = Hashes.uniform(config.seed() + ":" + samples.get(i).name());
            parts[i] = u[i] < config.testFraction() ? Part.TEST
                : u[i] < config.testFraction() + config.valFraction() ? Part.VAL : Part.TRAIN;
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classCount; c++) byClass.add(new ArrayList<>());
        for (int i = 0; i < n; i++) byClass.get(samples.get(i).label()).add(i);
        for (List<Integer> members : byClass) {
            members.sort(Comparator.comparingDouble(i -> u[i]));   // lowest u first
            ensureMinimums(members, parts, config.valFraction() > 0);
        }
        return new Split(List.copyOf(samples), parts);
    }

    private static void ensureMinimums(List<Integer> byU, Part[] parts, boolean wantVal) {
        if (byU.size() < 2) return;                           // the Dataset never yields such a class
        if (count(byU, parts, Part.TEST) == 0) parts[byU.get(0)] = Part.TEST;
        if (count(byU, parts, Part.TRAIN) == 0) {
            for (int k = byU.size() - 1; k >= 0; k--) {
                int i = byU.get(k);
                if (parts[i] != Part.TEST || count(byU, parts, Part.TEST) > 1) { parts[i] = Part.TRAIN; break; }
            }
        }
        if (wantVal && byU.size() >= 3 && count(byU, parts, Part.VAL) == 0) {
            if (count(byU, parts, Part.TRAIN) > 1) {
                for (int i : byU) if (parts[i] == Part.TRAIN) { parts[i] = Part.VAL; return; }
            }
            if (count(byU, parts, Part.TEST) > 1) {
                for (int k = byU.size() - 1; k >= 0; k--) {
                    int i = byU.get(k);
                    if (parts[i] == Part.TEST) { parts[i] = Part.VAL; return; }
                }
            }
        }
    }

    private static int count(List<Integer> members, Part[] parts, Part part) {
        int c = 0;
        for (int i : members) if (parts[i] == part) c++;
        return c;
    }

    /** The part of the i-th sample (in the order given to {@link #of}). */
    public Part part(int i) { return parts[i]; }

    /** The samples of one part, in data set order. */
    public List<Sample> samples(Part part) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) if (parts[i] == part) out.add(samples.get(i));
        return out;
    }

    /** How many samples each part holds, indexed by {@link Part#ordinal()}. */
    public int[] counts() {
        int[] c = new int[Part.values().length];
        for (Part p : parts) c[p.ordinal()]++;
        return c;
    }
}
