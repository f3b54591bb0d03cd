package slice.bench;

import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import slice.engine.Graph;
import slice.engine.Parallel;
import slice.engine.Tensor;

/**
 * One training step at batch 32: a training-mode forward pass and the backward pass of a fixed random ∂L/∂logits
 * (no loss, no optimiser update — the same in {@code torch_peer.py}).
 * <ul>
 *   <li>{@code fineTune}: transfer learning of the last blocks, the layers up to {@link #frozenUpTo} frozen
 *       (inference mode, no gradients; {@link Graph#plan} runs them as an inference plan) and the rest trained,
 *       batch norms in training mode. MobileNetV2 1.0/224:
 *       blocks 13–16, {@code Conv_1} and the top trained; InceptionV3/299: the blocks {@code mixed8} to {@code mixed10} and
 *       the top;</li>
 *   <li>{@code fullStep}: every layer of MobileNetV2 1.0/224 trained.</li>
 * </ul>
 * FLOPs: the forward pass (2 × multiply-adds) plus 2 × that for each trained layer (∂input and ∂weights).
 *
 * <p>JMH crosses only the parameters of the states a method uses, so each step has its own state for {@code model}
 * and {@code batch}; {@code threads} is {@link TimedBench}'s. The public fields below carry the same parameters for
 * {@link Main}'s FLOP count. A full step of InceptionV3 at batch 32 needs about 8 GB of buffers, more than
 * {@link TimedBench}'s heap: {@code -p model=inceptionv3 -jvmArgsAppend "--add-modules=jdk.incubator.vector -Xmx12g"}
 * (the full step's {@code model} parameter accepts it).
 */
public class Training extends TimedBench {
    /** What both states hold: a planned training graph of their model and the gradient handed to its backward. */
    @State(Scope.Benchmark)
    public abstract static class Step {
        ModelFixture fixture;
        Tensor gradLogits;

        /** The value of the subclass's {@code model} parameter. */
        abstract String model();

        /** The value of the subclass's {@code batch} parameter. */
        abstract int batch();

        /** Sets which layers train. */
        abstract void makeTrainable(Graph graph);

        @Setup
        public void setUp() {
            fixture = new ModelFixture(model(), batch());
            makeTrainable(fixture.graph);
            fixture.graph.plan(batch());
            gradLogits = outputGradient(fixture.graph);
        }

        /** One step: forward in training mode, then backward of {@link #gradLogits}. */
        Graph step() {
            fixture.graph.forward(fixture.input, true);
            fixture.graph.backward(gradLogits);
            return fixture.graph;
        }
    }

    /** The fine-tuning step: the layers after {@link #frozenUpTo} trained. */
    public static class FineTuned extends Step {
        @Param({"mobilenetv2", "inceptionv3"})
        public String model;
        @Param({"32"})
        public int batch;

        @Override String model() { return model; }

        @Override int batch() { return batch; }

        @Override void makeTrainable(Graph graph) { graph.freezeUpTo(frozenUpTo(model)); }
    }

    /** The full training step: every layer trained. */
    public static class Full extends Step {
        @Param({"mobilenetv2"})
        public String model;
        @Param({"32"})
        public int batch;

        @Override String model() { return model; }

        @Override int batch() { return batch; }

        @Override void makeTrainable(Graph graph) { graph.setTrainable(true); }
    }

    /** Set by {@link Main} from a run's parameters to count its FLOPs. */
    public String model;
    public int batch;

    /** The last frozen layer of {@code model}'s fine-tuning step (Keras name). */
    static String frozenUpTo(String model) {
        return switch (model) {
            case "mobilenetv2" -> "block_12_add";
            case "inceptionv3" -> "mixed7";
            default -> throw new IllegalArgumentException("unknown model '" + model + "': mobilenetv2 or inceptionv3");
        };
    }

    /** A fixed small random ∂L/∂output for a planned graph's output buffer (what a loss would hand to backward). */
    static Tensor outputGradient(Graph graph) {
        Random rnd = new Random(7);
        Tensor g = new Tensor(Tensor.withBatch(graph.capacity(), graph.outputShape()));
        for (int i = 0; i < g.size(); i++) g.data[i] = 1e-3f * (rnd.nextFloat() * 2 - 1);
        return g;
    }

    @Setup
    public void setThreads() {
        Parallel.setThreads(threads);
    }

    @Benchmark
    public Object fineTune(FineTuned s) {
        return s.step();
    }

    @Benchmark
    public Object fullStep(Full s) {
        return s.step();
    }

    @Override public double flops(String method) {
        var graph = ModelFixture.build(model);
        if (method.equals("fineTune")) graph.freezeUpTo(frozenUpTo(model));
        return 2.0 * batch * (ModelFixture.macs(graph) + 2 * ModelFixture.trainableMacs(graph));
    }
}
