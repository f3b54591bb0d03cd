package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.Gemm;
import slice.engine.kernels.Kernels;

/**
 * What computing sibling 1×1 convolutions (several layers reading the same input, as in an InceptionV3 {@code mixed}
 * block) in one pass over their shared input could gain, before building it. Each sibling {@code t} is the product
 * {@code C_t = map_t(A·B_t)} with one {@code A [m × k]} (a slice's pixels × input channels) and its own
 * {@code B_t [k × n_t]} and batch-norm/ReLU {@link ColumnMap}. Three ways, sample by sample ({@value #CALLS} calls of
 * each way, the way that starts a sample turning round so that none always follows the same one), on one thread (the
 * calling one) and timed in its CPU seconds:
 * <ul>
 *   <li>{@code separate}: one {@link Kernels#GEMM} per sibling over all m rows, as an inference plan runs them — A is
 *   read (and packed, where the GEMM packs it) once per sibling, from memory when it is larger than L2;</li>
 *   <li>{@code one}: a single product of {@code n = Σ n_t} columns ({@code B = [B_1 … B_T]}, the maps concatenated),
 *   A read and packed once: an upper bound of what a sibling-fused GEMM could gain (it also has other column edges);</li>
 *   <li>{@code chunked}: the separate products, chunk of rows by chunk of rows ({@code chunk} rows of A, all siblings,
 *   then the next): the second and later siblings read the chunk of A from L2, not from memory — what a fused GEMM
 *   built from the existing calls would do, with B packed per chunk.</li>
 * </ul>
 * It prints the separate products' median time and the medians of the per-sample ratios {@code one / separate} and
 * {@code chunked / separate} with their quartiles, after checking that all three give the same bits (each element's
 * fma chain does not depend on the blocking, {@link Gemm}). Shapes {@code m,k:n1,n2,...[@chunk]} (default: the
 * sibling groups of InceptionV3-299 on a 3-image inference slice, chunks of 384 rows); {@code -Dseconds} per shape
 * (default 8). Run from the checkout after {@code mvn -DskipTests package}:
 * {@code java --add-modules jdk.incubator.vector -Xbatch [-XX:MaxVectorSize=16]
 * -cp bench/target/benchmarks.jar slice.bench.research.SiblingGemmBench [shape ...]}; two such processes at once
 * show the products with the other core streaming too (a batch's slices on two threads).
 */
public final class SiblingGemmBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    /** Calls of each way per sample. */
    private static final int CALLS = 3;

    public static void main(String[] args) {
        Parallel.setThreads(1);
        System.out.println(Simd.describe());
        String[] shapes = args.length > 0 ? args : new String[] {
                "3675,192:64,48,64", "3675,256:64,48,64", "3675,288:64,48,64", "867,768:192,128,128",
                "867,768:192,160,160", "867,768:192,192,192", "867,768:192,192", "192,1280:320,384,448",
                "192,2048:320,384,448"};
        double seconds = Double.parseDouble(System.getProperty("seconds", "8"));
        for (String shape : shapes) run(shape, seconds);
    }

    /** Times the three ways on one shape {@code m,k:n1,n2,...[@chunk]} and prints the line described above. */
    private static void run(String shape, double seconds) {
        String[] at = shape.split("@");
        String[] mk = at[0].split(":")[0].split(",");
        int m = Integer.parseInt(mk[0]), k = Integer.parseInt(mk[1]), chunk = at.length > 1 ? Integer.parseInt(at[1]) : 384;
        int[] ns = Arrays.stream(at[0].split(":")[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int siblings = ns.length, total = Arrays.stream(ns).sum();
        Gemm gemm = Kernels.GEMM;
        Random rnd = new Random(1);
        float[] a = random(rnd, m * k), bAll = new float[k * total], scaleAll = new float[total], shiftAll = new float[total];
        float[][] b = new float[siblings][], sep = new float[siblings][], chunked = new float[siblings][];
        ColumnMap[] maps = new ColumnMap[siblings];
        for (int t = 0, col = 0; t < siblings; col += ns[t], t++) {
            int n = ns[t];
            b[t] = random(rnd, k * n);
            sep[t] = new float[m * n];
            chunked[t] = new float[m * n];
            for (int p = 0; p < k; p++) System.arraycopy(b[t], p * n, bAll, p * total + col, n);
            float[] scale = random(rnd, n), shift = random(rnd, n);
            System.arraycopy(scale, 0, scaleAll, col, n);
            System.arraycopy(shift, 0, shiftAll, col, n);
            maps[t] = new ColumnMap(scale, shift, 0f, Float.POSITIVE_INFINITY);
        }
        float[] cAll = new float[m * total];
        ColumnMap mapAll = new ColumnMap(scaleAll, shiftAll, 0f, Float.POSITIVE_INFINITY);
        Runnable separate = () -> {
            for (int t = 0; t < siblings; t++) gemm.gemm(false, false, m, ns[t], k, a, 0, k, b[t], 0, ns[t], sep[t], 0, ns[t], false, maps[t]);
        };
        Runnable one = () -> gemm.gemm(false, false, m, total, k, a, 0, k, bAll, 0, total, cAll, 0, total, false, mapAll);
        Runnable inChunks = () -> {
            for (int r0 = 0; r0 < m; r0 += chunk) {
                int rows = Math.min(chunk, m - r0);
                for (int t = 0; t < siblings; t++) {
                    gemm.gemm(false, false, rows, ns[t], k, a, r0 * k, k, b[t], 0, ns[t], chunked[t], r0 * ns[t], ns[t], false, maps[t]);
                }
            }
        };
        Runnable[] ways = {separate, one, inChunks};
        for (Runnable w : ways) w.run();
        boolean same = true;
        for (int t = 0, col = 0; t < siblings; col += ns[t], t++) {
            same &= Arrays.equals(sep[t], chunked[t]);
            for (int i = 0; i < m; i++) {
                same &= Arrays.equals(sep[t], i * ns[t], (i + 1) * ns[t], cAll, i * total + col, i * total + col + ns[t]);
            }
        }
        long end = System.nanoTime() + (long) (0.3e9 * seconds);
        while (System.nanoTime() < end) for (Runnable w : ways) w.run();
        List<long[]> samples = new ArrayList<>();
        end = System.nanoTime() + (long) (1e9 * seconds);
        do {
            long[] sample = new long[ways.length];
            for (int i0 = 0; i0 < ways.length; i0++) {
                int w = (i0 + samples.size()) % ways.length;
                long c0 = CPU.getCurrentThreadCpuTime();
                for (int i = 0; i < CALLS; i++) ways[w].run();
                sample[w] = (CPU.getCurrentThreadCpuTime() - c0) / CALLS;
            }
            samples.add(sample);
        } while (System.nanoTime() < end);
        double[] oneRatio = samples.stream().mapToDouble(s -> (double) s[1] / s[0]).sorted().toArray();
        double[] chunkRatio = samples.stream().mapToDouble(s -> (double) s[2] / s[0]).sorted().toArray();
        long[] separateNanos = samples.stream().mapToLong(s -> s[0]).sorted().toArray();
        int n = samples.size();
        double median = separateNanos[n / 2];
        System.out.printf("%-22s separate %7.3f ms (%5.1f GFLOP/s)  one/separate %.3f [%.3f %.3f]  chunked/separate %.3f [%.3f %.3f]"
                        + "  %d samples, %s%n", shape + "@" + chunk, median / 1e6, 2.0 * m * total * k / median,
                oneRatio[n / 2], oneRatio[n / 4], oneRatio[3 * n / 4], chunkRatio[n / 2], chunkRatio[n / 4], chunkRatio[3 * n / 4],
                n, same ? "same bits" : "BITS DIFFER");
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() - 0.5f;
        return x;
    }
}
