package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.kernels.Kernels;

/**
 * Throughput harness: GFLOP/s of {@link Kernels#GEMM} on convolution-shaped products (the default shapes, or
 * {@code m,n,k,transA,transB} arguments). Run from the checkout after {@code mvn -DskipTests package}:
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] [-Dslice.threads=1]
 * -cp bench/target/benchmarks.jar slice.bench.research.GemmBench [m,n,k,transA,transB ...]}.
 */
public final class GemmBench {
    /** CPU time excludes the time the OS gives to other processes: a steadier measure on a shared machine. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        System.out.println(Simd.describe());
        // {m, n, k, transA, transB}: 1x1 convolutions forward (NN), input gradient (NT), weight gradient (TN).
        int[][] shapes = args.length > 0 ? parse(args) : new int[][] {
                {12544, 256, 256, 0, 0}, {3136, 576, 96, 0, 0}, {784, 960, 160, 0, 0}, {512, 512, 512, 0, 0},
                {12544, 256, 256, 0, 1}, {256, 256, 12544, 1, 0}, {12544, 32, 144, 0, 0}, {12544, 24, 144, 0, 0},
        };
        Random rnd = new Random(1);
        float[] wa = random(rnd, 192 * 192), wb = random(rnd, 192 * 192), wc = new float[192 * 192];
        for (int i = 0; i < 4000; i++) { // warm-up: let C2 compile every kernel and edge path first
            Kernels.GEMM.gemm((i & 1) == 1, (i & 2) == 2, 190, 190 - (i & 31), 190, wa, 0, 190, wb, 0, 190, wc, 0, 192, (i & 4) == 4);
        }
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            boolean ta = s[3] == 1, tb = s[4] == 1;
            float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
            int lda = ta ? m : k, ldb = tb ? k : n;
            double flops = 2.0 * m * n * k, best = 0, bestCpu = 0;
            long deadline = System.nanoTime() + 2_000_000_000L;
            for (int rep = 0; rep < 5 || System.nanoTime() < deadline; rep++) {
                long t0 = System.nanoTime(), c0 = CPU.getCurrentThreadCpuTime();
                Kernels.GEMM.gemm(ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
                best = Math.max(best, flops / (System.nanoTime() - t0));
                bestCpu = Math.max(bestCpu, flops / (CPU.getCurrentThreadCpuTime() - c0));
            }
            System.out.printf("%s%s m=%d n=%d k=%d: %.1f GFLOP/s (%d threads)%s%n", ta ? "T" : "N", tb ? "T" : "N",
                    m, n, k, best, Parallel.threads(),
                    Parallel.threads() == 1 ? String.format(", %.1f per CPU second", bestCpu) : "");
        }
    }

    /** Shapes given as arguments {@code m,n,k,transA,transB}, e.g. {@code 195,192,1344,0,0}. */
    private static int[][] parse(String[] args) {
        int[][] shapes = new int[args.length][];
        for (int i = 0; i < args.length; i++) shapes[i] = java.util.Arrays.stream(args[i].split(",")).mapToInt(Integer::parseInt).toArray();
        return shapes;
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() - 0.5f;
        return x;
    }
}
