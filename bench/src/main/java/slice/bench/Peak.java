package slice.bench;

import java.util.function.IntToDoubleFunction;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import slice.engine.Parallel;
import slice.engine.Simd;

import java.util.concurrent.TimeUnit;

/**
 * This machine's FMA peak as the JVM sees it: {@link VectorFmaPeak} (twelve independent FMA chains at
 * the active vector width, no memory traffic) run once per engine thread. Every other result is reported as a
 * fraction of this number at the same thread count.
 *
 * <p>The FLOPs are counted in the forked JVM ({@link Flops#flop}, reported by JMH as FLOP/s), because only the fork
 * knows its vector width; the launcher derives the width back from FLOPs per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class Peak {
    /** FMA rounds per thread and call: a few milliseconds (fork/join overhead is noise), short enough for the JIT to compile the whole method rather than only its loop. */
    static final int ROUNDS = 1_000_000;
    /** Independent accumulator chains in VectorFmaPeak and its scalar twin. */
    static final int CHAINS = 12;

    @Param({"1", "2"})
    public int threads;

    private final IntToDoubleFunction probe = Simd.ENABLED ? new VectorFmaPeak() : new ScalarFmaPeak();
    private final double[] sums = new double[64];

    /** FLOPs done, reported by JMH per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double flop;

        @Setup(Level.Iteration)
        public void reset() {
            flop = 0;
        }
    }

    @Setup
    public void setThreads() {
        Parallel.setThreads(threads);
    }

    @Benchmark
    public double fma(Flops counted) {
        Parallel.forRange(threads, (from, to) -> {
            for (int t = from; t < to; t++) sums[t] = probe.applyAsDouble(ROUNDS);
        });
        counted.flop += flopsPerCall(threads, Simd.FLOAT_LANES);
        double s = 0;
        for (int t = 0; t < threads; t++) s += sums[t];
        return s;
    }

    static double flopsPerCall(int threads, int lanes) {
        return 2.0 * threads * ROUNDS * CHAINS * lanes;
    }
}
