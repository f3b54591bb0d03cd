package slice.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.layers.Conv2D;

/**
 * Where an inference pass spends its time, layer by layer — the "why" behind a benchmark number:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar slice.bench.Profile [model] [batch] [threads] [top]
 * </pre>
 * ({@code mobilenetv2} or {@code inceptionv3}, default batch 1, 1 thread, the 15 slowest layers). The network is the
 * one {@link Inference} measures, planned the same way (frozen, batch norm and ReLU fused, buffers shared, random
 * He-uniform weights); a batch larger than one inference slice (3 images of either model) is timed on its last slice
 * only, so profile batches of at most 3. After 3 s of warm-up
 * whole passes, each of the layers a pass runs ({@link Graph#executedLayers}) is timed on its own for 5 s of passes;
 * the table gives milliseconds per pass, share of the pass and GFLOP/s by kind of layer, then the slowest layers.
 * Timing each layer adds a clock read per layer; the sum is printed next to an untimed pass for comparison.
 */
public final class Profile {
    private Profile() { }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "mobilenetv2";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int top = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        Parallel.setThreads(threads);
        ModelFixture fixture = new ModelFixture(model, batch);
        Graph graph = fixture.graph;
        graph.setTrainable(false);
        graph.planInference(batch);
        List<Layer> layers = graph.executedLayers();

        long passes = 0;
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; passes++) graph.forward(fixture.input, false);
        long start = System.nanoTime();
        for (int i = 0; i < passes; i++) graph.forward(fixture.input, false);
        double passMs = (System.nanoTime() - start) / 1e6 / passes;

        long[] nanos = new long[layers.size()];
        int timed = 0;
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; timed++) {
            graph.forward(fixture.input, false); // sets every buffer's batch; the timed loop below repeats this pass
            for (int i = 0; i < layers.size(); i++) {
                long t0 = System.nanoTime();
                layers.get(i).forward(false);
                nanos[i] += System.nanoTime() - t0;
            }
        }

        Map<String, double[]> byKind = new LinkedHashMap<>(); // kind -> {ms per pass, multiply-adds}
        List<double[]> perLayer = new ArrayList<>();          // {index, ms per pass}
        double sum = 0;
        for (int i = 0; i < layers.size(); i++) {
            double ms = nanos[i] / 1e6 / timed;
            sum += ms;
            double[] k = byKind.computeIfAbsent(kind(layers.get(i)), x -> new double[2]);
            k[0] += ms;
            k[1] += layers.get(i).macs();
            perLayer.add(new double[] {i, ms});
        }
        System.out.printf(Locale.ROOT, "%s, batch %d, %d thread%s (%s)%n", model, batch, threads, threads == 1 ? "" : "s", Simd.describe());
        System.out.printf(Locale.ROOT, "untimed pass %.3f ms; layers timed one by one: %.3f ms (%d passes)%n%n", passMs, sum, timed);
        System.out.println("| kind | layers | ms per pass | share | GFLOP/s |\n|---|---:|---:|---:|---:|");
        final double total = sum;
        byKind.entrySet().stream().sorted(Comparator.comparingDouble(e -> -e.getValue()[0])).forEach(e -> {
            long count = layers.stream().filter(l -> kind(l).equals(e.getKey())).count();
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.0f %% | %s |%n", e.getKey(), count, e.getValue()[0],
                    100 * e.getValue()[0] / total, gflops(e.getValue()[1] * batch, e.getValue()[0]));
        });
        System.out.printf(Locale.ROOT, "%n| slowest layers | kind | output | ms per pass | GFLOP/s |%n|---|---|---|---:|---:|%n");
        perLayer.stream().sorted(Comparator.comparingDouble(p -> -p[1])).limit(top).forEach(p -> {
            Layer l = layers.get((int) p[0]);
            String shape = java.util.Arrays.toString(l.outputShape()).replaceAll("[\\[\\] ]", "").replace(',', 'x');
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %s |%n", l.name, kind(l), shape, p[1], gflops((double) l.macs() * batch, p[1]));
        });
    }

    /** The layer's type, with the window of a convolution ({@code Conv2D 1x1}, {@code Conv2D 3x3 /2}). */
    private static String kind(Layer l) {
        if (l instanceof Conv2D c) return "Conv2D " + c.kh + "x" + c.kw + (c.strideH > 1 ? " /" + c.strideH : "");
        return l.typeName();
    }

    private static String gflops(double macs, double ms) {
        return macs == 0 ? "—" : String.format(Locale.ROOT, "%.1f", 2 * macs / ms / 1e6);
    }
}
