package slice.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Parallel;

/**
 * One layer's forward pass (inference mode) and backward pass (after a training-mode forward), on the shape given
 * by the subclass's {@code shape} parameter, at batch {@code batch} with {@code threads} engine threads.
 * Forward FLOPs are 2 × the layer's multiply-adds; backward FLOPs of a layer with weights are twice that
 * (∂L/∂input and ∂L/∂weights each cost one forward). A single layer needs a smaller heap and shorter iterations than
 * the whole networks of {@link TimedBench}. Three warm-up seconds, not one: a backward pass runs more kernels than a
 * forward, and after one second its first measured iteration was not yet fully JIT-compiled (section "Layer
 * benchmarks' warm-up" of bench/RESULTS-issue13-changes.md).
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public abstract class LayerBench extends TimedBench {
    @Param({"1"})
    public int batch;

    private LayerFixture fixture;

    /** The per-sample input shape of {@code shape}: {@code [H, W, C]} of its {@link Spec} unless overridden. */
    int[] inputShape(String shape) {
        Spec s = Spec.parse(shape);
        return new int[] {s.h(), s.w(), s.c()};
    }

    /** The benchmarked layer for {@code shape}, built on {@code x}. */
    abstract Layer build(String shape, Input x);

    /** The value of the subclass's {@code shape} parameter. */
    abstract String shape();

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        fixture = new LayerFixture(batch, inputShape(shape()), x -> build(shape(), x)).primeBackward();
    }

    @Benchmark
    public Object forward() {
        fixture.node.forward(false);
        return fixture.node.out();
    }

    @Benchmark
    public Object backward() {
        fixture.node.backward();
        return fixture.node.inGrad(0);
    }

    /** FLOPs of one call of {@code method} ("forward" or "backward"), 0 for layers without multiply-adds. */
    @Override public double flops(String method) {
        LayerFixture probe = new LayerFixture(batch, inputShape(shape()), x -> build(shape(), x));
        boolean weighted = !probe.layer.weights().isEmpty();
        return probe.forwardFlops() * (method.equals("backward") && weighted ? 2 : 1);
    }
}
