package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import slice.bench.LayerFixture;
import slice.engine.Layer;
import slice.engine.Simd;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * Throughput harness: GFLOP/s of {@link Conv2D} forward and backward (dX and dW) on MobileNetV2 and InceptionV3
 * layer shapes, each layer on random data in a {@link LayerFixture} as the JMH layer benchmarks use it. Run from the
 * checkout after {@code mvn -DskipTests package}:
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] [-Dslice.threads=1]
 * [-Dseconds=3] -cp bench/target/benchmarks.jar slice.bench.research.ConvBench}.
 */
public final class ConvBench {
    /** CPU time excludes the time the OS gives to other processes: a steadier measure on a shared machine. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        System.out.println(Simd.describe());
        // {batch, h, w, cin, cout, kh, kw, stride}
        int[][] shapes = {
                {8, 224, 224, 3, 32, 3, 3, 2},  // MobileNetV2 stem
                {8, 56, 56, 24, 144, 1, 1, 1},  // MobileNetV2 expand
                {8, 28, 28, 192, 32, 1, 1, 1},  // MobileNetV2 project
                {8, 35, 35, 64, 96, 3, 3, 1},   // InceptionV3 3x3
                {8, 17, 17, 192, 192, 1, 7, 1}, // InceptionV3 1x7
                {8, 35, 35, 288, 384, 3, 3, 2}, // InceptionV3 reduction
        };
        for (int[] s : shapes) {
            LayerFixture fixture = new LayerFixture(s[0], new int[] {s[1], s[2], s[3]},
                    x -> new Conv2D("conv", x, s[4], s[5], s[6], s[7], s[7], Padding.SAME, false)).primeBackward();
            Layer conv = fixture.layer;
            double flops = fixture.forwardFlops(), fwd = 0, bwd = 0, fwdCpu = 0, bwdCpu = 0;
            long deadline = System.nanoTime() + Long.getLong("seconds", 3) * 1_000_000_000L;
            for (int rep = 0; rep < 5 || System.nanoTime() < deadline; rep++) {
                long t0 = System.nanoTime(), c0 = CPU.getCurrentThreadCpuTime();
                fixture.node.forward(true);
                long t1 = System.nanoTime(), c1 = CPU.getCurrentThreadCpuTime();
                fixture.node.backward();
                long t2 = System.nanoTime(), c2 = CPU.getCurrentThreadCpuTime();
                fwd = Math.max(fwd, flops / (t1 - t0));
                bwd = Math.max(bwd, 2 * flops / (t2 - t1));
                fwdCpu = Math.max(fwdCpu, flops / (c1 - c0));
                bwdCpu = Math.max(bwdCpu, 2 * flops / (c2 - c1));
            }
            System.out.printf("conv %dx%d/%d %dx%dx%d->%d batch %d: forward %.1f, backward %.1f GFLOP/s"
                            + " (per CPU second of the calling thread, meaningful at 1 thread: %.1f, %.1f)%n",
                    s[5], s[6], s[7], s[1], s[2], s[3], s[4], s[0], fwd, bwd, fwdCpu, bwdCpu);
        }
    }
}
