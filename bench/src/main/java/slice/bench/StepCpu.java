package slice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import slice.engine.Graph;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.Tensor;

/**
 * A/B harness for {@link Training}'s steps on one thread, timed in CPU seconds of the calling thread (on a machine
 * shared with other jobs, steadier than JMH's wall time): the median and least of {@code reps} steps after two
 * warm-up steps. Arguments {@code MODEL STEP [REPS [THREADS]]}, STEP {@code full} or {@code finetune}:
 * {@code java --add-modules jdk.incubator.vector -Xmx6g [-XX:MaxVectorSize=16] -cp bench/target/benchmarks.jar
 * slice.bench.StepCpu mobilenetv2 full 7}. At more than one thread the steps are timed in wall-clock time instead
 * (the calling thread's CPU time would miss the other threads' work and count none of their waiting): the median
 * of many steps, which a stray slow step moves less than it moves JMH's mean.
 */
public final class StepCpu {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        String model = args[0];
        boolean full = args[1].equals("full");
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Parallel.setThreads(threads);
        ModelFixture fixture = new ModelFixture(model, 32);
        Graph graph = fixture.graph;
        if (full) graph.setTrainable(true);
        else graph.freezeUpTo(Training.frozenUpTo(model));
        graph.plan(32);
        Tensor grad = Training.outputGradient(graph);
        double[] ms = new double[reps];
        for (int r = -2; r < reps; r++) {
            long c0 = threads == 1 ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
            graph.forward(fixture.input, true);
            graph.backward(grad);
            long c1 = threads == 1 ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
            if (r >= 0) ms[r] = (c1 - c0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("%s %s step, batch 32, %d thread%s (%s): median %.1f ms, least %.1f ms of %d (%s time)%n",
                model, full ? "full" : "fine-tuning", threads, threads == 1 ? "" : "s", Simd.describe(), ms[reps / 2], ms[0],
                reps, threads == 1 ? "CPU" : "wall-clock");
    }
}
