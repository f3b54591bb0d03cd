package slice.bench.research;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Random;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Node;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.engine.Tensor;
import slice.engine.layers.Conv2D;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.Padding;

/**
 * A/B harness for the depthwise convolutions of a MobileNetV2 training step (α 1.0 or 0.5 at 224 px, batch 32 by
 * default): for each distinct layer shape the least CPU time of the calling thread over repeated training-mode
 * forward and backward passes of the layer inside a planned training graph (after a 1×1 convolution, as in the
 * network, so its backward writes ∂L/∂x rather than adding to it), and the memory traffic that time implies —
 * forward reads the input and writes the output, backward reads the input and ∂L/∂y and writes ∂L/∂x, each once (a
 * lower bound: caches hold none of it at batch 32). The last line adds the layers up, each shape as often as the
 * network has it. CPU time and the minimum are the steadiest measures on a shared machine; compare two jars by
 * alternating runs:
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] [-Dalpha=0.5] [-Dbatch=32] [-Dseconds=2]
 * -cp JAR slice.bench.research.DepthwiseTrainingBench} (one engine thread).
 */
public final class DepthwiseTrainingBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        Parallel.setThreads(1);
        System.out.println(Simd.describe());
        boolean half = System.getProperty("alpha", "1.0").equals("0.5");
        int batch = Integer.getInteger("batch", 32);
        double seconds = Double.parseDouble(System.getProperty("seconds", "2"));
        // {input size, channels, stride, layers of this shape}: the depthwise layers of MobileNetV2 at 224 px
        int[][] shapes = half
                ? new int[][] {{112, 16, 1, 1}, {112, 48, 2, 1}, {56, 96, 1, 1}, {56, 96, 2, 1}, {28, 96, 1, 2},
                        {28, 96, 2, 1}, {14, 192, 1, 4}, {14, 288, 1, 2}, {14, 288, 2, 1}, {7, 480, 1, 3}}
                : new int[][] {{112, 32, 1, 1}, {112, 96, 2, 1}, {56, 144, 1, 1}, {56, 144, 2, 1}, {28, 192, 1, 2},
                        {28, 192, 2, 1}, {14, 384, 1, 4}, {14, 576, 1, 2}, {14, 576, 2, 1}, {7, 960, 1, 3}};
        double forwardSum = 0, backwardSum = 0;
        for (int[] s : shapes) {
            int size = s[0], channels = s[1], stride = s[2], out = (size + stride - 1) / stride;
            Input input = new Input("x", new int[] {size, size, channels});
            Conv2D before = new Conv2D("expand", input, channels, 1, 1, 1, 1, Padding.SAME, false);
            Graph graph = new Graph(input, new DepthwiseConv2D("dw", before, 3, 3, stride, Padding.SAME, false));
            graph.setTrainable(true);
            graph.plan(batch);
            Tensor x = random(new int[] {batch, size, size, channels}), dy = random(new int[] {batch, out, out, channels});
            graph.forward(x, true);
            List<Node> nodes = graph.executedNodes();
            Node node = nodes.get(nodes.size() - 1);
            double forwardNs = Double.MAX_VALUE, backwardNs = Double.MAX_VALUE;
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            for (int rep = 0; rep < 5 || System.nanoTime() < deadline; rep++) {
                long c0 = CPU.getCurrentThreadCpuTime();
                node.forward(true);
                forwardNs = Math.min(forwardNs, CPU.getCurrentThreadCpuTime() - c0);
                graph.seedGradient(dy); // ∂L/∂x unwritten again: the backward overwrites it
                long c1 = CPU.getCurrentThreadCpuTime();
                node.backward();
                backwardNs = Math.min(backwardNs, CPU.getCurrentThreadCpuTime() - c1);
            }
            double in = 4.0 * batch * size * size * channels, outBytes = 4.0 * batch * out * out * channels;
            System.out.printf("%3dx%<dx%-4d /%d  ×%d   forward %7.2f ms %5.1f GB/s   backward %7.2f ms %5.1f GB/s%n", size,
                    channels, stride, s[3], forwardNs / 1e6, (in + outBytes) / forwardNs, backwardNs / 1e6,
                    (2 * in + outBytes) / backwardNs);
            forwardSum += s[3] * forwardNs / 1e6;
            backwardSum += s[3] * backwardNs / 1e6;
        }
        System.out.printf("all depthwise layers: forward %.1f ms, backward %.1f ms%n", forwardSum, backwardSum);
    }

    private static Tensor random(int[] shape) {
        Random rnd = new Random(42);
        Tensor t = new Tensor(shape);
        for (int i = 0; i < t.size(); i++) t.data[i] = rnd.nextFloat() * 2 - 1;
        return t;
    }
}
