package slice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.stream.IntStream;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.Tensor;
import slice.engine.layers.Conv2D;

/**
 * Where a pass spends its time, layer by layer — the "why" behind a benchmark number:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar slice.bench.Profile [model] [batch] [threads] [top] [pass]
 * </pre>
 * ({@code mobilenetv2} or {@code inceptionv3}, default batch 1, 1 thread, the 15 slowest rows, pass {@code inference}).
 * <ul>
 *   <li>{@code inference}: the network {@link Inference} measures, planned the same way (frozen, batch norm and ReLU
 *   fused, buffers shared, random He-uniform weights); a batch larger than one inference slice (3 images of either
 *   model) is timed on the last slice the first thread's buffers ran (its GFLOP/s count that slice's images), so
 *   profile batches of at most 3. The steps are timed on the first thread's buffers with each layer split over the
 *   threads, as a pass of one image runs; at 2 threads the untimed pass of a larger batch runs as {@link Inference}
 *   does, the threads taking slices of the images in turn.</li>
 *   <li>{@code training}: the full training step {@link Training#fullStep} measures (every layer trained): each
 *   layer's training-mode forward, the start of {@link Graph#backward} ({@link Graph#seedGradient}), and each
 *   layer's backward.</li>
 *   <li>{@code finetune}: the same for the fine-tuning step {@link Training#fineTune} measures (the layers up to
 *   {@link Training#frozenUpTo} frozen; their kinds are marked {@code frozen}). The frozen prefix that
 *   {@link Graph#plan} runs as an inference plan is one step (profile its layers with {@code inference}).</li>
 * </ul>
 * After 3 s of warm-up whole passes, each step of a pass is timed on its own for 5 s of passes (a layer's
 * {@code forward} repeated after a whole forward of the same batch redoes its part of that pass); the tables give
 * milliseconds per pass, share of the pass and GFLOP/s by kind of step, then the slowest steps. Backward FLOPs of a
 * layer with multiply-adds are twice its forward FLOPs (∂input and ∂weights), as in {@link LayerBench}. Timing each
 * step adds a clock read per step; the sum is printed next to an untimed pass for comparison.
 */
public final class Profile {
    private Profile() { }

    /**
     * One timed step of a pass: a layer's forward or backward, or the seeding of the gradient ({@code layer} null);
     * {@code flops} of the images it last ran.
     */
    private record Step(String kind, Layer layer, Runnable work, DoubleSupplier flops) { }

    /**
     * A step of {@code n}'s layer, {@code flopsPerMac} FLOPs per multiply-add of its forward, over the images its node
     * holds (the batch, or in an inference plan the slice it ran last).
     */
    private static Step step(Node n, String suffix, Runnable work, int flopsPerMac) {
        return new Step(kind(n.layer) + suffix, n.layer, work, () -> (double) flopsPerMac * n.layer.macs() * n.batch());
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "mobilenetv2";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int top = args.length > 3 ? Integer.parseInt(args[3]) : 15;
        String pass = args.length > 4 ? args[4] : "inference";
        boolean fineTune = pass.equals("finetune");
        boolean training = fineTune || pass.equals("training");
        if (!training && !pass.equals("inference")) {
            System.err.println("Profile: the pass must be 'inference', 'training' or 'finetune', not '" + pass + "'");
            System.exit(2);
        }
        Parallel.setThreads(threads);
        ModelFixture fixture = new ModelFixture(model, batch);
        Graph graph = fixture.graph;
        List<Step> steps = new ArrayList<>();
        Runnable run;
        if (training) {
            if (fineTune) graph.freezeUpTo(Training.frozenUpTo(model));
            else graph.setTrainable(true);
            graph.plan(batch);
            Tensor gradOutput = Training.outputGradient(graph);
            run = () -> {
                graph.forward(fixture.input, true);
                graph.backward(gradOutput);
            };
            Graph prefix = graph.frozenPrefix();
            if (prefix != null) {
                double flops = 2.0 * batch * prefix.layers().stream().mapToLong(Layer::macs).sum();
                steps.add(new Step("frozen prefix up to " + prefix.output().name + " (inference plan)", null,
                        () -> prefix.forward(fixture.input, false), () -> flops));
            }
            for (Node n : graph.executedNodes()) {
                steps.add(step(n, n.layer.isTrainable() ? "" : " frozen", () -> n.forward(true), 2));
            }
            steps.add(new Step("seed gradient", null, () -> graph.seedGradient(gradOutput), () -> 0));
            for (Node n : graph.backwardNodes()) steps.add(step(n, " backward", n::backward, 4));
        } else {
            graph.setTrainable(false);
            graph.planInference(batch);
            run = () -> graph.forward(fixture.input, false);
            for (Node n : graph.executedNodes()) steps.add(step(n, "", () -> n.forward(false), 2));
        }

        long passes = 0;
        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; passes++) run.run();
        long start = System.nanoTime();
        for (int i = 0; i < passes; i++) run.run();
        double passMs = (System.nanoTime() - start) / 1e6 / passes;

        long[] nanos = new long[steps.size()];
        int timed = 0;
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; timed++) {
            run.run(); // sets every buffer's batch; the timed loop below repeats this pass
            for (int i = 0; i < steps.size(); i++) {
                long t0 = System.nanoTime();
                steps.get(i).work().run();
                nanos[i] += System.nanoTime() - t0;
            }
        }

        Map<String, double[]> byKind = new LinkedHashMap<>(); // kind -> {ms per pass, FLOPs, steps}
        double[] ms = new double[steps.size()];
        double sum = 0;
        for (int i = 0; i < steps.size(); i++) {
            ms[i] = nanos[i] / 1e6 / timed;
            sum += ms[i];
            double[] k = byKind.computeIfAbsent(steps.get(i).kind(), x -> new double[3]);
            k[0] += ms[i];
            k[1] += steps.get(i).flops().getAsDouble();
            k[2]++;
        }
        System.out.printf(Locale.ROOT, "%s %s, batch %d, %d thread%s (%s)%n", model, fineTune ? "fine-tuning step" : training ? "training step" : "inference",
                batch, threads, threads == 1 ? "" : "s", Simd.describe());
        System.out.printf(Locale.ROOT, "untimed pass %.3f ms; steps timed one by one: %.3f ms (%d passes)%n%n", passMs, sum, timed);
        System.out.println("| kind | steps | ms per pass | share | GFLOP/s |\n|---|---:|---:|---:|---:|");
        final double total = sum;
        byKind.entrySet().stream().sorted(Comparator.comparingDouble(e -> -e.getValue()[0])).forEach(e ->
                System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %.0f %% | %s |%n", e.getKey(), (int) e.getValue()[2],
                        e.getValue()[0], 100 * e.getValue()[0] / total, gflops(e.getValue()[1], e.getValue()[0])));
        System.out.printf(Locale.ROOT, "%n| slowest steps | kind | output | ms per pass | GFLOP/s |%n|---|---|---|---:|---:|%n");
        IntStream.range(0, steps.size()).boxed().sorted(Comparator.comparingDouble(i -> -ms[i])).limit(top).forEach(i -> {
            Step st = steps.get(i);
            String name = st.layer() == null ? "—" : st.layer().name;
            String shape = st.layer() == null ? "—" : Arrays.toString(st.layer().outputShape()).replaceAll("[\\[\\] ]", "").replace(',', 'x');
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %s |%n", name, st.kind(), shape, ms[i], gflops(st.flops().getAsDouble(), ms[i]));
        });
    }

    /** The layer's type, with the window of a convolution ({@code Conv2D 1x1}, {@code Conv2D 3x3 /2}). */
    private static String kind(Layer l) {
        if (l instanceof Conv2D c) return "Conv2D " + c.kh + "x" + c.kw + (c.strideH > 1 ? " /" + c.strideH : "");
        return l.typeName();
    }

    private static String gflops(double flops, double ms) {
        return flops == 0 ? "—" : String.format(Locale.ROOT, "%.1f", flops / ms / 1e6);
    }
}
