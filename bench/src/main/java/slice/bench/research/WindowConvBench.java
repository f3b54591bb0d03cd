package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import slice.bench.LayerFixture;
import slice.engine.Simd;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Padding;

/**
 * A/B harness for the windowed convolutions of InceptionV3 (and the MobileNetV2 stem) at batch 1 ({@code -Dbatch=N}:
 * N; an inference slice of InceptionV3 is 3 images): for each layer the
 * least CPU time of the calling thread over repeated forward (and, with {@code -Dbackward=true}, backward) passes.
 * CPU time and the minimum are the steadiest measures on a shared machine; compare two jars by alternating runs:
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] -Dslice.threads=1 [-Dseconds=1]
 * [-Dbackward=true] [-Dbatch=N] [-Donly=REGEX] -cp JAR slice.bench.research.WindowConvBench}.
 */
public final class WindowConvBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        System.out.println(Simd.describe());
        boolean backward = Boolean.getBoolean("backward");
        String only = System.getProperty("only", ".*");
        // {h, w, cin, cout, kh, kw, stride, valid}
        int[][] shapes = {
                {224, 224, 3, 32, 3, 3, 2, 0}, {299, 299, 3, 32, 3, 3, 2, 1}, {149, 149, 32, 32, 3, 3, 1, 1},
                {35, 35, 64, 96, 3, 3, 1, 0}, {35, 35, 48, 64, 5, 5, 1, 0}, {35, 35, 288, 384, 3, 3, 2, 1},
                {17, 17, 128, 128, 1, 7, 1, 0}, {17, 17, 128, 128, 7, 1, 1, 0}, {17, 17, 192, 192, 1, 7, 1, 0},
                {17, 17, 192, 192, 7, 1, 1, 0}, {8, 8, 384, 384, 1, 3, 1, 0}, {8, 8, 448, 384, 3, 3, 1, 0}};
        for (int[] s : shapes) {
            String name = s[0] + "x" + s[1] + "x" + s[2] + ">" + s[3] + "/" + s[4] + "x" + s[5] + "s" + s[6] + (s[7] == 1 ? " valid" : "");
            if (!name.matches(only)) continue;
            LayerFixture f = new LayerFixture(Integer.getInteger("batch", 1), new int[] {s[0], s[1], s[2]},
                    x -> new Conv2D("conv", x, s[3], s[4], s[5], s[6], s[6], s[7] == 1 ? Padding.VALID : Padding.SAME, false));
            if (backward) f.primeBackward();
            double flops = f.forwardFlops(), forwardNs = Double.MAX_VALUE, backwardNs = Double.MAX_VALUE;
            long deadline = System.nanoTime() + (long) (Double.parseDouble(System.getProperty("seconds", "2")) * 1e9);
            for (int rep = 0; rep < 5 || System.nanoTime() < deadline; rep++) {
                long c0 = CPU.getCurrentThreadCpuTime();
                f.node.forward(backward);
                long c1 = CPU.getCurrentThreadCpuTime();
                forwardNs = Math.min(forwardNs, c1 - c0);
                if (backward) {
                    f.node.backward();
                    backwardNs = Math.min(backwardNs, CPU.getCurrentThreadCpuTime() - c1);
                }
            }
            System.out.printf("%-26s forward %7.3f ms %6.1f GFLOP/s%s%n", name, forwardNs / 1e6, flops / forwardNs, !backward ? ""
                    : String.format("   backward %7.3f ms %6.1f GFLOP/s", backwardNs / 1e6, 2 * flops / backwardNs));
        }
    }
}
