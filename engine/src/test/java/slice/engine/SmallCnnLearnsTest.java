package slice.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import slice.engine.layers.Add;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.DepthwiseConv2D;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.Padding;
import slice.engine.layers.ReLU;
import slice.engine.optim.Adam;
import slice.engine.optim.LrSchedule;
import slice.engine.optim.Loss;
import slice.engine.optim.Optimizer;

/**
 * End to end: a MobileNet-shaped little network (conv → BN → ReLU6 → depthwise → BN → residual add → GAP → dense →
 * softmax cross-entropy) learns a synthetic task to near-zero loss, with batch norm in training mode (batch
 * statistics) and frozen in inference mode (a fixed affine map). If any backward pass were wrong, it would not.
 */
class SmallCnnLearnsTest {
    private static final int SIZE = 8, CLASSES = 3, SAMPLES = 48;

    /** The label is the colour channel whose blob is brightest; the blob sits at a random place on noise. */
    private static int makeSample(Random rnd, float[] x, int offset) {
        int label = rnd.nextInt(CLASSES);
        for (int i = 0; i < SIZE * SIZE * 3; i++) x[offset + i] = (rnd.nextFloat() - 0.5f) * 0.5f;
        int cy = rnd.nextInt(SIZE - 2), cx = rnd.nextInt(SIZE - 2);
        for (int y = cy; y < cy + 3; y++) {
            for (int xx = cx; xx < cx + 3; xx++) x[offset + (y * SIZE + xx) * 3 + label] += 1.5f;
        }
        return label;
    }

    @ParameterizedTest(name = "batch norm trainable = {0}")
    @ValueSource(booleans = {true, false})
    void learnsToNearZeroLoss(boolean trainBatchNorm) {
        Random rnd = new Random(42);
        Input in = new Input("input", SIZE, SIZE, 3);
        Conv2D conv = new Conv2D("conv", in, 8, 3, 3, 1, 1, Padding.SAME, false);
        BatchNorm bn1 = new BatchNorm("bn1", conv, true, 1e-3f, 0.9f);
        ReLU relu1 = new ReLU("relu1", bn1, 6f);
        DepthwiseConv2D dw = new DepthwiseConv2D("dw", relu1, 3, 3, 1, Padding.SAME, false);
        BatchNorm bn2 = new BatchNorm("bn2", dw, true, 1e-3f, 0.9f);
        Add add = new Add("add", relu1, bn2);
        GlobalAveragePooling2D gap = new GlobalAveragePooling2D("gap", add);
        Dense dense = new Dense("dense", gap, CLASSES, true);
        Graph g = new Graph(in, dense);
        for (Layer l : new Layer[] {conv, dw, dense}) GradCheck.randomizeWeights(l, rnd, -0.5f, 0.5f);
        bn1.setTrainable(trainBatchNorm);
        bn2.setTrainable(trainBatchNorm);
        g.plan(SAMPLES);

        Tensor x = new Tensor(SAMPLES, SIZE, SIZE, 3);
        int[] labels = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) labels[i] = makeSample(rnd, x.data, i * SIZE * SIZE * 3);

        Optimizer adam = Adam.adam(LrSchedule.constant(0.03f), 0f);
        Tensor dLogits = new Tensor(SAMPLES, CLASSES);
        float first = Float.NaN, loss = Float.NaN;
        for (int step = 0; step < 300; step++) {
            Tensor logits = g.forward(x, true);
            loss = Loss.softmaxCrossEntropy(logits, labels, 0f, dLogits);
            if (step == 0) first = loss;
            g.backward(dLogits);
            adam.step(g.trainableParams());
        }
        // evaluate in inference mode: with trained BN this uses the moving statistics
        float evalLoss = Loss.softmaxCrossEntropy(g.forward(x, false), labels, 0f, null);
        assertTrue(first > 0.9f, "starts near log(3): " + first);
        assertTrue(loss < 0.05f, "training loss " + loss + " after 300 steps (from " + first + ")");
        assertTrue(evalLoss < 0.3f, "inference-mode loss " + evalLoss);
    }
}
