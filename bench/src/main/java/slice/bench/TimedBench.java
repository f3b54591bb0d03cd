package slice.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the time-per-call benchmarks share (JMH inherits these annotations): the average time of one call in
 * milliseconds, at {@code threads} engine threads (each subclass's setup applies it), in one forked JVM with the
 * vector module and a fixed, pre-touched heap. The heap and iteration times here are those of whole networks
 * ({@link Inference}, {@link Training}); {@link LayerBench} and {@link FaceNets} override them. Ten warm-up
 * iterations: a whole-network call takes up to a few seconds, longer than an iteration, and C2 goes on compiling its
 * kernels for many seconds; after one to three iterations a training step was still measured partly before that
 * (section "The training rows were not warmed up" of bench/RESULTS-issue13-changes.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 2, time = 2)
public abstract class TimedBench implements Main.Counted {
    @Param({"1", "2"})
    public int threads;
}
