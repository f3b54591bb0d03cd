package slice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import slice.engine.Graph;
import slice.engine.Parallel;
import slice.engine.Tensor;

/**
 * A/B of the two ways the frozen part of {@link Training#fineTune} can run, in one JVM, alternating pass by pass (so a
 * machine shared with other jobs loads both alike): the graph from the input to {@link Training#frozenUpTo}, frozen,
 * under a training plan ({@link Graph#plan}: the whole batch through whole-batch buffers, each layer split over the
 * threads — how the fine-tuning step ran it before it got a frozen prefix) and under an inference plan
 * ({@link Graph#planInference}: slices of the batch taken by the threads in turn — how {@link Graph#plan} now runs a
 * frozen prefix). Batch 32; the median and least of {@code reps} pairs after two warm-up pairs, in the calling
 * thread's CPU time on one thread and wall-clock time on more. Arguments {@code MODEL THREADS [REPS]}:
 * {@code java --add-modules jdk.incubator.vector -Xmx8g -cp bench/target/benchmarks.jar slice.bench.FrozenPart
 * inceptionv3 2 5}. Fails if the two outputs are not the same bits.
 */
public final class FrozenPart {
    private FrozenPart() { }

    public static void main(String[] args) {
        String model = args[0];
        int threads = Integer.parseInt(args[1]), reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Parallel.setThreads(threads);
        ModelFixture fixture = new ModelFixture(model, 32);
        fixture.graph.setTrainable(false);
        Graph training = fixture.graph.cutAt(Training.frozenUpTo(model));
        Graph inference = fixture.graph.cutAt(Training.frozenUpTo(model));
        training.plan(32);
        inference.planInference(32);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        double[] trainingMs = new double[reps], inferenceMs = new double[reps];
        for (int r = -2; r < reps; r++) {
            long t0 = now(cpu, threads);
            Tensor a = training.forward(fixture.input, true);
            long t1 = now(cpu, threads);
            Tensor b = inference.forward(fixture.input, false);
            long t2 = now(cpu, threads);
            if (r < 0 && !Arrays.equals(Arrays.copyOf(a.data, a.size()), Arrays.copyOf(b.data, b.size()))) {
                throw new AssertionError("the two plans computed different outputs");
            }
            if (r >= 0) {
                trainingMs[r] = (t1 - t0) / 1e6;
                inferenceMs[r] = (t2 - t1) / 1e6;
            }
        }
        Arrays.sort(trainingMs);
        Arrays.sort(inferenceMs);
        System.out.printf("%s up to %s, batch 32, %d thread%s (%s time, %d pairs): training plan median %.0f ms (least %.0f),"
                        + " inference plan median %.0f ms (least %.0f)%n", model, Training.frozenUpTo(model), threads,
                threads == 1 ? "" : "s", threads == 1 ? "CPU" : "wall-clock", reps, trainingMs[reps / 2], trainingMs[0],
                inferenceMs[reps / 2], inferenceMs[0]);
    }

    private static long now(ThreadMXBean cpu, int threads) {
        return threads == 1 ? cpu.getCurrentThreadCpuTime() : System.nanoTime();
    }
}
