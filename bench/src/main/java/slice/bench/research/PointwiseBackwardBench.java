package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import slice.engine.Simd;
import slice.engine.kernels.Kernels;

/**
 * A/B harness for a 1×1 convolution's backward pass on one thread: the two separate products
 * ({@code dW = Xᵀ·dY}, {@code dX = dY·Wᵀ}) against {@link slice.engine.kernels.Gemm#pointwiseBackward}, alternated
 * in the same process, each timed in CPU seconds of the calling thread (steadier than wall time on a shared
 * machine). Arguments {@code rows,cin,cout} (default: MobileNetV2's 1×1 layers at batch 32); run from the checkout
 * after {@code mvn -DskipTests package}: {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16]
 * -Dslice.threads=1 -cp bench/target/benchmarks.jar slice.bench.research.PointwiseBackwardBench [rows,cin,cout ...]}.
 */
public final class PointwiseBackwardBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 7;

    public static void main(String[] args) {
        System.out.println(Simd.describe());
        int[][] shapes = args.length > 0 ? Arrays.stream(args).map(s -> Arrays.stream(s.split(",")).mapToInt(Integer::parseInt)
                .toArray()).toArray(int[][]::new) : new int[][] {
                {401408, 16, 96}, {100352, 144, 24}, {100352, 24, 144}, {25088, 32, 192}, {6272, 384, 64}, {1568, 960, 160},
                {1568, 320, 1280}};
        Random rnd = new Random(1);
        for (int[] s : shapes) {
            int rows = s[0], cin = s[1], cout = s[2];
            float[] x = random(rnd, rows * cin), dy = random(rnd, rows * cout), w = random(rnd, cin * cout);
            float[] dw = new float[cin * cout], dx = new float[rows * cin];
            double flops = 4.0 * rows * cin * cout;
            double[] separate = new double[ROUNDS], pair = new double[ROUNDS];
            for (int r = -2; r < ROUNDS; r++) { // two warm-up rounds
                long c0 = CPU.getCurrentThreadCpuTime();
                Kernels.GEMM.gemm(true, false, cin, cout, rows, x, 0, cin, dy, 0, cout, dw, 0, cout, false);
                Kernels.GEMM.gemm(false, true, rows, cin, cout, dy, 0, cout, w, 0, cout, dx, 0, cin, false);
                long c1 = CPU.getCurrentThreadCpuTime();
                Kernels.GEMM.pointwiseBackward(rows, cin, cout, x, dy, null, w, dw, dx, false);
                long c2 = CPU.getCurrentThreadCpuTime();
                if (r >= 0) {
                    separate[r] = (c1 - c0) / 1e6;
                    pair[r] = (c2 - c1) / 1e6;
                }
            }
            Arrays.sort(separate);
            Arrays.sort(pair);
            System.out.printf("rows=%d cin=%d cout=%d: separate %.2f ms (median; best %.2f, %.1f GFLOP/s), "
                            + "one pass %.2f ms (best %.2f, %.1f GFLOP/s): %.3f×%n", rows, cin, cout, separate[ROUNDS / 2],
                    separate[0], flops / separate[0] / 1e6, pair[ROUNDS / 2], pair[0], flops / pair[0] / 1e6,
                    separate[ROUNDS / 2] / pair[ROUNDS / 2]);
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = rnd.nextFloat() - 0.5f;
        return v;
    }
}
