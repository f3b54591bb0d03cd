package slice.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import slice.engine.Parallel;

/**
 * Whole-network inference as the product runs it ({@link slice.engine.Graph#planInference}: frozen, batch norm and
 * ReLU fused into the convolutions, no gradient buffers, a batch run in slices of a few images): MobileNetV2 1.0/224
 * and InceptionV3/299 at batch 1 (latency) and 32 (throughput). FLOPs: 2 × the network's multiply-adds per image.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 2, time = 2)
public class Inference implements Main.Counted {
    @Param({"mobilenetv2", "inceptionv3"})
    public String model;

    @Param({"1", "32"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private ModelFixture fixture;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        fixture = new ModelFixture(model, batch);
        fixture.graph.setTrainable(false);
        fixture.graph.planInference(batch);
    }

    @Benchmark
    public Object forward() {
        return fixture.graph.forward(fixture.input, false);
    }

    @Override public double flops(String method) {
        return 2.0 * ModelFixture.macs(ModelFixture.build(model)) * batch;
    }
}
