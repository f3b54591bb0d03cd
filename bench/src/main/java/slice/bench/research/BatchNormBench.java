package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import slice.bench.LayerFixture;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.layers.BatchNorm;

/**
 * A/B harness for batch norm in training: the best CPU time of {@code -Dreps=20} training-mode forwards (batch
 * statistics, the affine map) and backwards (gradient sums, ∂L/∂x) of a {@link BatchNorm} on MobileNetV2's expanded
 * activations at batch 32, one engine thread, in a {@link LayerFixture} as the JMH layer benchmarks use it. Run from
 * the checkout after {@code mvn -DskipTests package}, alternating the jars compared:
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] -cp bench/target/benchmarks.jar
 * slice.bench.research.BatchNormBench [HxWxC …]}.
 */
public final class BatchNormBench {
    /** CPU time excludes the time the OS gives to other processes: a steadier measure on a shared machine. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private BatchNormBench() { }

    public static void main(String[] args) {
        String[] shapes = args.length > 0 ? args : new String[] {"112x112x96", "56x56x144", "112x112x32", "28x28x192"};
        int reps = Integer.getInteger("reps", 20);
        Parallel.setThreads(1);
        System.out.println(Simd.describe());
        StringBuilder line = new StringBuilder();
        for (String shape : shapes) {
            String[] d = shape.split("x");
            int[] hwc = {Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2])};
            LayerFixture f = new LayerFixture(32, hwc, x -> new BatchNorm("bn", x, true, 1e-3f, 0.999f)).primeBackward();
            long forward = Long.MAX_VALUE, backward = Long.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                long t0 = CPU.getCurrentThreadCpuTime();
                f.node.forward(true);
                long t1 = CPU.getCurrentThreadCpuTime();
                f.node.backward();
                long t2 = CPU.getCurrentThreadCpuTime();
                forward = Math.min(forward, t1 - t0);
                backward = Math.min(backward, t2 - t1);
            }
            line.append(String.format("%s forward %.2f ms, backward %.2f ms | ", shape, forward / 1e6, backward / 1e6));
        }
        System.out.println(line);
    }
}
