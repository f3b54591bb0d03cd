package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import slice.bench.LayerFixture;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * A/B harness for the Winograd forward: one trainable {@link Conv2D} per shape, whose training forward is the direct
 * product (im2col + GEMM) and whose inference forward is Winograd's F(2×2, 3×3) — same layer, same data, alternated
 * call by call in one JVM, so load from other processes hits both sides alike. Prints, per side, the fastest and the
 * median of the calls, in CPU time of the calling thread (1 thread: time the OS gave to others is left out). Run from
 * the checkout after {@code mvn -DskipTests package}:
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] [-Dcalls=31]
 * -cp bench/target/benchmarks.jar slice.bench.research.WinogradBench}.
 */
public final class WinogradBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        Parallel.setThreads(1);
        System.out.println(Simd.describe());
        // {h, w, cin, cout, same?}: InceptionV3's 3×3 stride-1 convolutions at batch 1 (conv2d_2, conv2d_3, conv2d_5,
        // the 35² blocks; the 8² ones at batch 1 have too few tiles and stay direct).
        int[][] shapes = {{149, 149, 32, 32, 0}, {147, 147, 32, 64, 1}, {73, 73, 80, 192, 0}, {35, 35, 64, 96, 1}, {35, 35, 96, 96, 1}};
        int calls = Integer.getInteger("calls", 31);
        for (int pass = 0; pass < 2; pass++) { // the first pass warms up every shape
            for (int[] s : shapes) {
                LayerFixture fixture = new LayerFixture(1, new int[] {s[0], s[1], s[2]},
                        x -> new Conv2D("conv", x, s[3], 3, 3, 1, 1, s[4] == 1 ? Padding.SAME : Padding.VALID, true));
                long[] direct = new long[calls], winograd = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long c0 = CPU.getCurrentThreadCpuTime();
                    fixture.node.forward(true);
                    long c1 = CPU.getCurrentThreadCpuTime();
                    fixture.node.forward(false);
                    long c2 = CPU.getCurrentThreadCpuTime();
                    direct[i] = c1 - c0;
                    winograd[i] = c2 - c1;
                }
                Arrays.sort(direct);
                Arrays.sort(winograd);
                if (pass == 1) {
                    System.out.printf("%dx%dx%d->%d %s: direct %.2f ms (median %.2f), Winograd %.2f ms (median %.2f): %.2fx%n",
                            s[0], s[1], s[2], s[3], s[4] == 1 ? "same" : "valid", direct[0] / 1e6, direct[calls / 2] / 1e6,
                            winograd[0] / 1e6, winograd[calls / 2] / 1e6, (double) direct[0] / winograd[0]);
                }
            }
        }
    }
}
