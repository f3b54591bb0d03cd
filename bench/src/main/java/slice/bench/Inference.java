package slice.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import slice.engine.Parallel;

/**
 * Whole-network inference as the product runs it ({@link slice.engine.Graph#planInference}: frozen, batch norm and
 * ReLU fused into the convolutions, no gradient buffers, a batch run in slices of a few images): MobileNetV2 1.0/224
 * and InceptionV3/299 at batch 1 (latency) and 32 (throughput). FLOPs: 2 × the network's multiply-adds per image.
 */
public class Inference extends TimedBench {
    @Param({"mobilenetv2", "inceptionv3"})
    public String model;

    @Param({"1", "32"})
    public int batch;

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
