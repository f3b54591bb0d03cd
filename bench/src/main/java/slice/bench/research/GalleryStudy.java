package slice.bench.research;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;
import slice.engine.Parallel;
import slice.models.face.FaceDescriber;
import slice.models.face.FaceFinder;
import slice.models.face.FaceLandmarkNet;
import slice.train.Enrolment;
import slice.train.GalleryRecogniser;
import slice.train.data.Dataset;
import slice.train.data.ImageDecoder;
import slice.train.data.Sample;
import slice.train.data.Split;
import slice.weights.FaceApiNets;
import slice.weights.Gallery;

/**
 * Accuracy of a recogniser made only of enrolments ({@link GalleryRecogniser}) on a folder of faces, with the split
 * {@code train} uses (validation 0.1, test 0.2, seed 1: the same test photos as {@code train}'s reports). Every photo is
 * described once (largest face; a photo without a face has no descriptor, and as a test photo counts as wrong); the
 * gallery holds 1, 3 or 5 training photos per person (drawn at random, 5 draws: the first draw's accuracy with its 95 %
 * Wilson interval, and the mean of the 5), all training photos, or all training and validation photos. Each test photo
 * is named by the nearest enrolled photo (the product's rule) and, for comparison, by the nearest centroid (mean
 * descriptor of a person). Closed set: the nearest person, whatever the threshold, as {@code train}'s accuracy.
 *
 * <p>Open set: {@code UNSEEN} people (chosen with seed 1) are never enrolled; their photos are strangers. Galleries of
 * 3 people × 5 photos, 5 × 2, 10 × 3 (20 random draws each), all other people × 5 (5 draws) and × all training photos
 * are enrolled; for each and for both rules: AUROC of the distance (the enrolled people's test photos vs strangers),
 * the calibrated threshold ({@link Enrolment}'s rule; for the centroid rule the same rule on distances to the centroid
 * of the other photos), and at 0.6 and at that threshold the test photos named right and the strangers answered
 * {@code unknown} (means over the draws).
 *
 * <pre>
 *   mvn -B -ntp -DskipTests package      # then, from the checkout:
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar slice.bench.research.GalleryStudy \
 *       ../shared/data/faces/lfw_deepfunneled_min20 ../shared/data/models/face_api 10 /tmp/lfw-descriptors.tsv
 *   (args: DATA FACE-MODELS UNSEEN [DESCRIPTOR-CACHE])
 * </pre>
 */
public final class GalleryStudy {
    private static final int DRAWS = 5;

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]), models = Path.of(args[1]);
        int unseen = Integer.parseInt(args[2]);
        Path cache = args.length > 3 ? Path.of(args[3]) : null;
        Dataset dataset = Dataset.scan(data);
        Split split = Split.of(dataset, new Split.Config(0.1, 0.2, 1));
        Map<String, float[]> descriptors = describeAll(dataset.samples(), models, cache);
        List<Sample> train = split.samples(Split.Part.TRAIN), val = split.samples(Split.Part.VAL), test = split.samples(Split.Part.TEST);
        int k = dataset.classes().size();
        long noFace = dataset.samples().stream().filter(s -> descriptors.get(s.sha256()) == null).count();
        System.out.printf(Locale.ROOT, "%s: %d people, %d photos (%d train, %d validation, %d test), %d without a face%n",
                data.getFileName(), k, dataset.samples().size(), train.size(), val.size(), test.size(), noFace);

        System.out.println("closed set: photos per person | nearest photo: accuracy [95 % CI] (draw 1), mean of draws"
                + " | nearest centroid: the same");
        for (int perPerson : new int[] {1, 3, 5}) {
            double[] nn = new double[DRAWS], ce = new double[DRAWS];
            int[] first = new int[2];
            for (int draw = 1; draw <= DRAWS; draw++) {
                List<Sample> enrolled = draw(train, k, perPerson, draw);
                int[] c = closedSet(enrolled, test, descriptors, k);
                nn[draw - 1] = (double) c[0] / test.size();
                ce[draw - 1] = (double) c[1] / test.size();
                if (draw == 1) first = c;
            }
            System.out.printf(Locale.ROOT, "%d | %s, mean %.1f %% | %s, mean %.1f %%%n", perPerson, accuracy(first[0], test.size()),
                    100 * mean(nn), accuracy(first[1], test.size()), 100 * mean(ce));
        }
        List<Sample> trainVal = new ArrayList<>(train);
        trainVal.addAll(val);
        for (var e : List.of(Map.entry("all train", train), Map.entry("all train + validation", trainVal))) {
            int[] c = closedSet(e.getValue(), test, descriptors, k);
            System.out.printf(Locale.ROOT, "%s (%d photos) | %s | %s%n", e.getKey(), e.getValue().size(), accuracy(c[0], test.size()),
                    accuracy(c[1], test.size()));
        }

        List<Integer> people = new ArrayList<>();
        for (int i = 0; i < k; i++) people.add(i);
        Collections.shuffle(people, new Random(1));
        boolean[] stranger = new boolean[k];
        for (int i = 0; i < unseen; i++) stranger[people.get(i)] = true;
        List<Sample> strangers = dataset.samples().stream().filter(s -> stranger[s.label()]).toList();
        List<Integer> enrollable = people.subList(unseen, k);
        System.out.printf(Locale.ROOT, "open set: %d strangers (%d photos with a face); galleries of people drawn from the other %d,"
                + " their test photos known%n", unseen, strangers.stream().filter(x -> descriptors.get(x.sha256()) != null).count(),
                k - unseen);
        System.out.println("people x photos (draws) | rule | AUROC | threshold | at 0.6: known named right, strangers unknown"
                + " | at the calibrated threshold: the same");
        int[][] scenarios = {{3, 5, 20}, {5, 2, 20}, {10, 3, 20}, {k - unseen, 5, 5}, {k - unseen, Integer.MAX_VALUE, 1}};
        for (int[] sc : scenarios) {
            double[][] sum = new double[2][6];
            for (int draw = 1; draw <= sc[2]; draw++) {
                List<Integer> chosen = new ArrayList<>(enrollable);
                Collections.shuffle(chosen, new Random(draw));
                boolean[] in = new boolean[k];
                for (int c : chosen.subList(0, sc[0])) in[c] = true;
                List<Sample> enrolled = draw(train, k, sc[1], draw).stream().filter(x -> in[x.label()]).toList();
                List<Sample> knownTest = test.stream().filter(x -> in[x.label()]).toList();
                double[][] o = openSet(enrolled, knownTest, strangers, descriptors, k);
                for (int r = 0; r < 2; r++) for (int j = 0; j < 6; j++) sum[r][j] += o[r][j] / sc[2];
            }
            String size = sc[0] + " x " + (sc[1] == Integer.MAX_VALUE ? "all" : String.valueOf(sc[1])) + " (" + sc[2] + ")";
            for (int r = 0; r < 2; r++) {
                System.out.printf(Locale.ROOT, "%s | %s | %.4f | %.4f | %.1f %%, %.1f %% | %.1f %%, %.1f %%%n", size,
                        r == 0 ? "nearest photo" : "nearest centroid", sum[r][0], sum[r][1], 100 * sum[r][2], 100 * sum[r][3],
                        100 * sum[r][4], 100 * sum[r][5]);
            }
        }
    }

    /** Up to {@code perPerson} training photos of each person, shuffled with seed {@code draw}. */
    private static List<Sample> draw(List<Sample> train, int k, int perPerson, int draw) {
        List<List<Sample>> by = new ArrayList<>();
        for (int i = 0; i < k; i++) by.add(new ArrayList<>());
        for (Sample s : train) by.get(s.label()).add(s);
        List<Sample> out = new ArrayList<>();
        Random r = new Random(draw);
        for (List<Sample> l : by) {
            Collections.shuffle(l, r);
            out.addAll(l.subList(0, Math.min(perPerson, l.size())));
        }
        return out;
    }

    /** Correct answers on {@code test} by nearest photo and by nearest centroid. */
    private static int[] closedSet(List<Sample> enrolled, List<Sample> test, Map<String, float[]> d, int k) {
        float[][] centroids = centroids(enrolled, d, k);
        int[] correct = new int[2];
        for (Sample s : test) {
            float[] q = d.get(s.sha256());
            if (q == null) continue;
            if (nearestPhoto(q, enrolled, d).label == s.label()) correct[0]++;
            if (nearestCentroid(q, centroids).label == s.label()) correct[1]++;
        }
        return correct;
    }

    record Nearest(int label, double distance) { }

    private static Nearest nearestPhoto(float[] q, List<Sample> enrolled, Map<String, float[]> d) {
        int label = -1;
        double best = Double.POSITIVE_INFINITY;
        for (Sample e : enrolled) {
            float[] v = d.get(e.sha256());
            if (v == null) continue;
            double dist = GalleryRecogniser.distance(q, v);
            if (dist < best) {
                best = dist;
                label = e.label();
            }
        }
        return new Nearest(label, best);
    }

    private static Nearest nearestCentroid(float[] q, float[][] centroids) {
        int label = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centroids.length; c++) {
            if (centroids[c] == null) continue;
            double dist = GalleryRecogniser.distance(q, centroids[c]);
            if (dist < best) {
                best = dist;
                label = c;
            }
        }
        return new Nearest(label, best);
    }

    private static float[][] centroids(List<Sample> enrolled, Map<String, float[]> d, int k) {
        double[][] sum = new double[k][];
        int[] n = new int[k];
        for (Sample e : enrolled) {
            float[] v = d.get(e.sha256());
            if (v == null) continue;
            if (sum[e.label()] == null) sum[e.label()] = new double[v.length];
            for (int j = 0; j < v.length; j++) sum[e.label()][j] += v[j];
            n[e.label()]++;
        }
        float[][] c = new float[k][];
        for (int i = 0; i < k; i++) {
            if (n[i] == 0) continue;
            c[i] = new float[sum[i].length];
            for (int j = 0; j < c[i].length; j++) c[i][j] = (float) (sum[i][j] / n[i]);
        }
        return c;
    }

    /**
     * For the nearest-photo rule (row 0) and the nearest-centroid rule (row 1): AUROC of the distance (known test photos
     * vs strangers), the calibrated threshold (row 0: {@link Enrolment}'s; row 1: the same capped percentile of each
     * photo's distance to the centroid of its person's other photos), and at 0.6 and at that threshold the fraction of known
     * test photos named right and of strangers answered unknown. A known photo without a face counts as not named.
     */
    private static double[][] openSet(List<Sample> enrolled, List<Sample> known, List<Sample> strangers, Map<String, float[]> d, int k) {
        Map<Integer, List<Gallery.Photo>> byLabel = new LinkedHashMap<>();
        for (Sample e : enrolled) {
            float[] v = d.get(e.sha256());
            if (v != null) byLabel.computeIfAbsent(e.label(), x -> new ArrayList<>()).add(new Gallery.Photo(e.sha256(), v));
        }
        List<Gallery.Person> people = new ArrayList<>();
        byLabel.forEach((label, photos) -> people.add(new Gallery.Person("p" + label, photos)));
        double[] thresholds = {Enrolment.calibrated(people).threshold(), centroidThreshold(byLabel)};
        float[][] centroids = centroids(enrolled, d, k);
        double[][] out = new double[2][];
        for (int rule = 0; rule < 2; rule++) {
            double[] knownDist = new double[known.size()];
            int[] label = new int[known.size()];
            for (int i = 0; i < known.size(); i++) {
                float[] q = d.get(known.get(i).sha256());
                Nearest n = q == null ? new Nearest(-1, Double.POSITIVE_INFINITY)
                        : rule == 0 ? nearestPhoto(q, enrolled, d) : nearestCentroid(q, centroids);
                knownDist[i] = n.distance;
                label[i] = n.label;
            }
            List<Double> strangerDist = new ArrayList<>();
            for (Sample x : strangers) {
                float[] q = d.get(x.sha256());
                if (q != null) strangerDist.add(rule == 0 ? nearestPhoto(q, enrolled, d).distance : nearestCentroid(q, centroids).distance);
            }
            double[] row = new double[6];
            row[0] = auroc(knownDist, strangerDist);
            row[1] = thresholds[rule];
            double[] at = {Enrolment.DEFAULT_THRESHOLD, thresholds[rule]};
            for (int j = 0; j < 2; j++) {
                double t = at[j];
                int right = 0;
                for (int i = 0; i < known.size(); i++) if (knownDist[i] <= t && label[i] == known.get(i).label()) right++;
                row[2 + 2 * j] = (double) right / known.size();
                row[3 + 2 * j] = (double) strangerDist.stream().filter(x -> x > t).count() / strangerDist.size();
            }
            out[rule] = row;
        }
        return out;
    }

    /**
     * {@link Enrolment}'s capped percentile, of each photo's distance to the centroid of its person's other photos (0.6 if a
     * person has one photo).
     */
    private static double centroidThreshold(Map<Integer, List<Gallery.Photo>> byLabel) {
        List<Double> dist = new ArrayList<>();
        for (List<Gallery.Photo> photos : byLabel.values()) {
            if (photos.size() < 2) return Enrolment.DEFAULT_THRESHOLD;
            for (int i = 0; i < photos.size(); i++) {
                float[] c = new float[Gallery.DESCRIPTOR_SIZE];
                for (int j = 0; j < photos.size(); j++) {
                    if (j == i) continue;
                    for (int m = 0; m < c.length; m++) c[m] += photos.get(j).descriptor()[m] / (photos.size() - 1);
                }
                dist.add(GalleryRecogniser.distance(photos.get(i).descriptor(), c));
            }
        }
        Collections.sort(dist);
        return Math.min(Enrolment.DEFAULT_THRESHOLD, dist.get((int) Math.ceil(Enrolment.KEPT_PERCENT / 100.0 * dist.size()) - 1));
    }

    /** P(a stranger's distance > a known face's distance), ties counted half. */
    private static double auroc(double[] known, List<Double> strangers) {
        double wins = 0;
        for (double k : known) for (double s : strangers) wins += s > k ? 1 : s == k ? 0.5 : 0;
        return wins / ((double) known.length * strangers.size());
    }

    private static String accuracy(int correct, int total) {
        ConfidenceInterval ci = new WilsonScoreInterval().createInterval(total, correct, 0.95);
        return String.format(Locale.ROOT, "%.1f %% [%.1f, %.1f] (%d/%d)", 100.0 * correct / total, 100 * ci.getLowerBound(),
                100 * ci.getUpperBound(), correct, total);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** The descriptor of the largest face of every photo (null: no face), by SHA-256; cached in {@code cache} if given. */
    private static Map<String, float[]> describeAll(List<Sample> samples, Path models, Path cache) throws Exception {
        Map<String, float[]> out = new HashMap<>();
        if (cache != null && Files.exists(cache)) {
            for (String line : Files.readAllLines(cache, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                float[] v = null;
                if (!f[1].equals("none")) {
                    v = new float[f.length - 1];
                    for (int i = 1; i < f.length; i++) v[i - 1] = Float.parseFloat(f[i]);
                }
                out.put(f[0], v);
            }
        }
        List<Sample> todo = samples.stream().filter(s -> !out.containsKey(s.sha256())).toList();
        if (todo.isEmpty()) return out;
        FaceLandmarkNet landmarks = FaceApiNets.landmarks(models.resolve("face_landmark_68_model-weights_manifest.json"), false);
        Path detector = models.resolve("tiny_face_detector_model-weights_manifest.json");
        GalleryRecogniser first = new GalleryRecogniser(
                new FaceFinder(FaceApiNets.detector(detector, GalleryRecogniser.INPUT_SIZE), landmarks),
                new FaceDescriber(FaceApiNets.descriptor(models.resolve("face_recognition_model-weights_manifest.json"))),
                Enrolment.empty());
        int workers = Runtime.getRuntime().availableProcessors();
        Parallel.setThreads(1);
        AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        Map<String, float[]> found = Collections.synchronizedMap(new HashMap<>());
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            GalleryRecogniser mine = w == 0 ? first : first.copy();
            Thread t = new Thread(() -> {
                for (int i; (i = next.getAndIncrement()) < todo.size(); ) {
                    Sample s = todo.get(i);
                    float[] v = null;
                    try {
                        GalleryRecogniser.DescribedFace f = GalleryRecogniser.largest(mine.describe(
                                ImageDecoder.decode(Files.readAllBytes(s.file()), 1080)));
                        if (f != null) v = f.descriptor();
                    } catch (IOException e) {
                        System.err.println(s.file() + ": " + e.getMessage());
                    }
                    found.put(s.sha256(), v);
                    int n = done.incrementAndGet();
                    if (n % 200 == 0) System.err.printf(Locale.ROOT, "described %d of %d photos, %.0f s%n", n, todo.size(),
                            (System.nanoTime() - start) / 1e9);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        System.err.printf(Locale.ROOT, "described %d photos in %.0f s with %d threads%n", todo.size(), (System.nanoTime() - start) / 1e9,
                workers);
        out.putAll(found);
        if (cache != null) {
            StringBuilder sb = new StringBuilder();
            out.forEach((sha, v) -> {
                sb.append(sha);
                if (v == null) sb.append("\tnone");
                else for (float x : v) sb.append('\t').append(x);
                sb.append('\n');
            });
            Files.writeString(cache, sb, StandardCharsets.UTF_8);
        }
        return out;
    }
}
