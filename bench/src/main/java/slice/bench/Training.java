package slice.bench;

import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import slice.engine.Graph;
import slice.engine.Parallel;
import slice.engine.Tensor;

/**
 * One training step of MobileNetV2 1.0/224 at batch 32: a training-mode forward pass and the backward pass of a
 * fixed random ∂L/∂logits (no loss, no optimiser update — the same in {@code torch_peer.py}).
 * <ul>
 *   <li>{@code fineTune}: layers up to {@value #FROZEN_UP_TO} frozen (inference mode, no gradients), blocks 13–16,
 *       {@code Conv_1} and the top trained — transfer learning of the last blocks;</li>
 *   <li>{@code fullStep}: every layer trained.</li>
 * </ul>
 * FLOPs: the forward pass (2 × multiply-adds) plus 2 × that for each trained layer (∂input and ∂weights).
 * InceptionV3 at batch 32 needs about 8 GB of buffers: {@code -p model=inceptionv3 -jvmArgsAppend -Xmx12g}.
 */
public class Training extends TimedBench {
    /** The last frozen layer of the fine-tuning step (Keras name). */
    static final String FROZEN_UP_TO = "block_12_add";

    @Param({"mobilenetv2"})
    public String model;

    @Param({"32"})
    public int batch;

    private ModelFixture fineTune, full;
    private Tensor gradLogits;

    @Setup
    public void setUp(org.openjdk.jmh.infra.BenchmarkParams params) {
        Parallel.setThreads(threads);
        if (params.getBenchmark().endsWith("fineTune")) {
            fineTune = new ModelFixture(model, batch);
            fineTune.graph.freezeUpTo(FROZEN_UP_TO);
            fineTune.graph.plan(batch);
            gradLogits = outputGradient(fineTune.graph);
        } else {
            full = new ModelFixture(model, batch);
            full.graph.setTrainable(true);
            full.graph.plan(batch);
            gradLogits = outputGradient(full.graph);
        }
    }

    /** A fixed small random ∂L/∂output for a planned graph's output buffer (what a loss would hand to backward). */
    static Tensor outputGradient(Graph graph) {
        Random rnd = new Random(7);
        Tensor g = new Tensor(Tensor.withBatch(graph.capacity(), graph.outputShape()));
        for (int i = 0; i < g.size(); i++) g.data[i] = 1e-3f * (rnd.nextFloat() * 2 - 1);
        return g;
    }

    @Benchmark
    public Object fineTune() {
        fineTune.graph.forward(fineTune.input, true);
        fineTune.graph.backward(gradLogits);
        return fineTune.graph;
    }

    @Benchmark
    public Object fullStep() {
        full.graph.forward(full.input, true);
        full.graph.backward(gradLogits);
        return full.graph;
    }

    @Override public double flops(String method) {
        var graph = ModelFixture.build(model);
        if (method.equals("fineTune")) graph.freezeUpTo(FROZEN_UP_TO);
        return 2.0 * batch * (ModelFixture.macs(graph) + 2 * ModelFixture.trainableMacs(graph));
    }
}
