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
import slice.engine.Graph;
import slice.engine.Parallel;
import slice.engine.Tensor;
import slice.models.MobileNetV2;

/**
 * Feature extraction as transfer learning does it: {@value #IMAGES} preprocessed images through the frozen
 * MobileNetV2 1.0/224 backbone to the pooled 1280 features, in batches of {@value #BATCH} (the last one smaller),
 * with the inference plan the {@code features} command uses ({@link Graph#planInference}).
 * Image decoding and resizing are not included. One call = all the images; images/s = {@value #IMAGES}·1000 / ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 1)
@Measurement(iterations = 2)
public class Features implements Main.Counted {
    static final int IMAGES = 1000;
    static final int BATCH = 32;

    /** Shown in the summary; the only model of this benchmark. */
    @Param({"mobilenetv2"})
    public String model;

    @Param({"1", "2"})
    public int threads;

    private Graph backbone;
    private Tensor full, last;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        ModelFixture fixture = new ModelFixture(model, BATCH);
        backbone = fixture.graph.cutAt(MobileNetV2.FEATURE_LAYER);
        backbone.setTrainable(false);
        backbone.planInference(BATCH);
        full = fixture.input;
        int rest = IMAGES % BATCH;
        last = Tensor.wrap(full.data, rest, full.dim(1), full.dim(2), full.dim(3));
    }

    @Benchmark
    public float extract() {
        float checksum = 0;
        for (int done = 0; done < IMAGES; done += BATCH) {
            Tensor features = backbone.forward(IMAGES - done >= BATCH ? full : last, false);
            checksum += features.data[0];
        }
        return checksum;
    }

    @Override public double flops(String method) {
        return 2.0 * IMAGES * ModelFixture.macs(ModelFixture.build(model).cutAt(MobileNetV2.FEATURE_LAYER));
    }
}
