package slice.bench;

import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import slice.engine.Graph;
import slice.engine.Parallel;
import slice.engine.Tensor;
import slice.models.face.FaceLandmarkNet;
import slice.models.face.FaceRecognitionNet;
import slice.models.face.TinyFaceDetector;

/**
 * The face networks' forward passes as {@link slice.models.face.FaceFinder} runs them (frozen graphs under
 * {@link Graph#planInference}): the Tiny Face Detector at input 320 and 416 on one photo, and the 68-point landmark
 * nets (full and tiny, input 112) on one face and on a batch of 8 faces, and the face descriptor ResNet (input 150) on
 * one face and on a batch of 32 faces. {@code bench/face_api_compare.sh} times face-api.js's own networks on the same
 * inputs beside these.
 *
 * <p>Weights are He-uniform random with a fixed seed (bound √(6 / fan-in), biases 0) and the input is uniform in
 * [-0.5, 0.5), the range of face-api's normalised pixels: the time of a forward pass does not depend on the values,
 * so the benchmark needs none of the weight files. FLOPs: 2 × the network's multiply-adds per image × batch.
 *
 * <p>JMH crosses only the parameters of the states a method uses, so the detector, the landmark nets and the descriptor
 * net each have their own state for {@code model} and {@code batch}; {@code threads} is {@link TimedBench}'s. The public fields
 * below carry the same parameters for {@link Main}'s FLOP count. The heap and iteration counts here
 * replace {@link TimedBench}'s.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class FaceNets extends TimedBench {
    /** What both states hold: the frozen network their subclass names, planned with an input batch. */
    @State(Scope.Benchmark)
    public abstract static class Network {
        Graph graph;
        Tensor input;

        /** The value of the subclass's {@code model} parameter. */
        abstract String model();

        /** The value of the subclass's {@code batch} parameter. */
        abstract int batch();

        @Setup
        public void setUp() {
            graph = build(model());
            input = plan(graph, batch());
        }
    }

    /** The detector: one photo padded and resized to {@code size × size}. */
    public static class Detector extends Network {
        @Param({"tiny-face-detector-320", "tiny-face-detector-416"})
        public String model;
        @Param({"1"})
        public int batch;

        @Override String model() { return model; }

        @Override int batch() { return batch; }
    }

    /** A landmark net: {@code batch} face crops of 112 × 112. */
    public static class Landmarks extends Network {
        @Param({"face-landmark-68", "face-landmark-68-tiny"})
        public String model;
        @Param({"1", "8"})
        public int batch;

        @Override String model() { return model; }

        @Override int batch() { return batch; }
    }

    /** The face descriptor net: {@code batch} aligned face crops of 150 × 150. */
    public static class Descriptor extends Network {
        @Param({"face-recognition"})
        public String model;
        @Param({"1", "32"})
        public int batch;

        @Override String model() { return model; }

        @Override int batch() { return batch; }
    }

    /** Set by {@link Main} from a run's parameters to count its FLOPs. */
    public String model;
    public int batch;

    @Setup
    public void setThreads() {
        Parallel.setThreads(threads);
    }

    @Benchmark
    public Tensor detector(Detector s) {
        return s.graph.forward(s.input, false);
    }

    @Benchmark
    public Tensor landmarks(Landmarks s) {
        return s.graph.forward(s.input, false);
    }

    @Benchmark
    public Tensor descriptor(Descriptor s) {
        return s.graph.forward(s.input, false);
    }

    @Override public double flops(String method) {
        return 2.0 * ModelFixture.macs(build(model)) * batch;
    }

    /** The frozen network named {@code model}, with face-api's layers and random weights not yet set. */
    static Graph build(String model) {
        String detector = "tiny-face-detector-";
        if (model.startsWith(detector)) return new TinyFaceDetector(Integer.parseInt(model.substring(detector.length()))).graph;
        return switch (model) {
            case "face-landmark-68" -> new FaceLandmarkNet(false).graph;
            case "face-landmark-68-tiny" -> new FaceLandmarkNet(true).graph;
            case "face-recognition" -> {
                Graph graph = new FaceRecognitionNet().graph;
                graph.setTrainable(false); // as FaceDescriber runs it; the detector and landmark nets come frozen
                yield graph;
            }
            default -> throw new IllegalArgumentException("unknown model '" + model
                    + "': tiny-face-detector-<size>, face-landmark-68, face-landmark-68-tiny or face-recognition");
        };
    }

    /** Fills {@code graph}'s weights (seed 42), plans its inference for {@code batch} and returns a random input batch. */
    static Tensor plan(Graph graph, int batch) {
        Random rnd = new Random(42);
        for (slice.engine.Param p : graph.weights()) {
            int[] s = p.value.shape();
            if (s.length < 2) continue;
            // HWIO conv kernel: fan-in kh·kw·Cin; depthwise [kh, kw, C, 1]: kh·kw; dense [in, out]: in.
            int fanIn = s.length == 4 && s[3] == 1 ? s[0] * s[1] : p.value.size() / s[s.length - 1];
            float bound = (float) Math.sqrt(6.0 / fanIn);
            for (int i = 0; i < p.value.size(); i++) p.value.data[i] = bound * (rnd.nextFloat() * 2 - 1);
        }
        graph.planInference(batch);
        int[] in = graph.inputShape();
        Tensor input = new Tensor(new int[] {batch, in[0], in[1], in[2]});
        for (int i = 0; i < input.size(); i++) input.data[i] = rnd.nextFloat() - 0.5f;
        return input;
    }
}
