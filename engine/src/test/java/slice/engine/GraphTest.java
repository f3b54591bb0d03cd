package slice.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The graph's bookkeeping: order, cuts, gradient fan-in, freezing — with two toy layers defined here. */
class GraphTest {
    /** y = w · x elementwise with one scalar weight w: ∂L/∂x = w·g, ∂L/∂w = Σ x·g. */
    static final class Scale extends Layer {
        final Param w = Param.trainable("w", 1);

        Scale(String name, Layer in) {
            super(name, in.outputShape(), in);
            w.value.data[0] = 1f;
        }

        @Override public void forward(Node node, boolean training) {
            Tensor x = node.in(0);
            for (int i = 0; i < x.size(); i++) node.out().data[i] = w.value.data[0] * x.data[i];
        }

        @Override public void backward(Node node) {
            Tensor x = node.in(0), dx = node.inGrad(0);
            boolean add = dx != null && node.addsToInGrad(0);
            float gw = 0;
            for (int i = 0; i < x.size(); i++) {
                gw += x.data[i] * node.grad().data[i];
                if (dx != null) dx.data[i] = (add ? dx.data[i] : 0f) + w.value.data[0] * node.grad().data[i];
            }
            if (isTrainable()) w.grad.data[0] = gw;
        }

        @Override public List<Param> weights() { return List.of(w); }
    }

    /** y = a + b. */
    static final class Sum extends Layer {
        Sum(String name, Layer a, Layer b) { super(name, a.outputShape(), a, b); }

        @Override public void forward(Node node, boolean training) {
            for (int i = 0; i < node.out().size(); i++) node.out().data[i] = node.in(0).data[i] + node.in(1).data[i];
        }

        @Override public void backward(Node node) {
            for (int k = 0; k < 2; k++) {
                if (node.inGrad(k) == null) continue;
                boolean add = node.addsToInGrad(k);
                for (int i = 0; i < node.out().size(); i++) {
                    node.inGrad(k).data[i] = (add ? node.inGrad(k).data[i] : 0f) + node.grad().data[i];
                }
            }
        }
    }

    /** x → a = wa·x → b = wb·a → s = a + b: a residual fan-out of a, two scalar weights. */
    private record Net(Input x, Scale a, Scale b, Sum s) {
        static Net of(int width, float wa, float wb) {
            Input x = new Input("x", width);
            Scale a = new Scale("a", x);
            Scale b = new Scale("b", a);
            a.w.value.data[0] = wa;
            b.w.value.data[0] = wb;
            return new Net(x, a, b, new Sum("s", a, b));
        }

        Graph graph() { return new Graph(x, s); }
    }

    @Test
    void residualFanOutSumsGradientsAndFreezingStopsParameterGradients() {
        Net net = Net.of(3, 2f, 3f); // s = a·x + b·a·x
        Scale a = net.a(), b = net.b();
        Graph g = net.graph();
        g.plan(2);
        Tensor in = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = g.forward(in, true);
        assertArrayEquals(new float[] {8, 16, 24, 32, 40, 48}, java.util.Arrays.copyOf(y.data, 6));
        Tensor ones = Tensor.wrap(new float[] {1, 1, 1, 1, 1, 1}, 2, 3);
        g.backward(ones);
        // ∂s/∂wa = Σ x (1 + wb) = 21 · 4 ; ∂s/∂wb = Σ wa·x = 42
        assertEquals(84f, a.w.grad.data[0]);
        assertEquals(42f, b.w.grad.data[0]);
        assertNull(g.nodes().get(0).inGrad(0), "the input needs no gradient");

        g.freezeUpTo("a");
        g.plan(2);
        assertNull(LayerHarness.gradient(g, a), "nothing upstream of a frozen prefix needs a gradient");
        assertNotNull(LayerHarness.gradient(g, b));
        assertEquals(List.of(b.w), g.trainableParams());
    }

    @Test
    void cutsAndTailsAreSubgraphs() {
        Net net = Net.of(2, 1f, 1f);
        Graph g = net.graph();
        assertEquals(List.of(net.a(), net.b(), net.s()), g.layers());
        assertEquals(List.of(net.a(), net.b()), g.cutAt("b").layers());
        assertEquals(List.of(net.b(), net.s()), g.from("a").layers());
        // b's tail would need a, which is not computed from b: not a single-tensor boundary
        assertThrows(IllegalArgumentException.class, () -> g.from("b"));
        assertEquals(3, g.paramCount() + 1);
        Graph tail = g.from("a");
        tail.plan(1);
        Tensor y = tail.forward(Tensor.wrap(new float[] {1, 2}, 1, 2), false);
        assertArrayEquals(new float[] {2, 4}, java.util.Arrays.copyOf(y.data, 2));
        assertThrows(IllegalArgumentException.class, () -> tail.forward(new Tensor(1, 3), false));
    }

    @Test
    void graphsSharingLayersKeepTheirOwnActivationsWhenRunInterleaved() {
        Net net = Net.of(3, 2f, 3f);
        Scale a = net.a(), b = net.b();
        Graph whole = net.graph(), prefix = whole.cutAt("b"), tail = whole.from("a");
        Tensor in = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), other = Tensor.wrap(new float[] {-1, 0, 7}, 1, 3);
        Tensor ones = Tensor.wrap(new float[] {1, 1, 1, 1, 1, 1}, 2, 3);
        // Each graph alone: whole (forward, backward), prefix, tail.
        whole.plan(2);
        float[] y = Arrays.copyOf(whole.forward(in, true).data, 6);
        whole.backward(ones);
        float[] gradA = {a.w.grad.data[0], b.w.grad.data[0]};
        prefix.plan(2);
        float[] yPrefix = Arrays.copyOf(prefix.forward(in, false).data, 6);
        tail.plan(1);
        float[] yTail = Arrays.copyOf(tail.forward(other, false).data, 3);
        // Interleaved: whole's forward, then the other graphs run on other inputs, then whole's backward and reads.
        whole.forward(in, true);
        prefix.forward(other, false);
        tail.forward(other, false);
        whole.backward(ones);
        assertArrayEquals(y, Arrays.copyOf(whole.activation("s").data, 6));
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, Arrays.copyOf(whole.activation("a").data, 6));
        assertArrayEquals(gradA, new float[] {a.w.grad.data[0], b.w.grad.data[0]});
        assertArrayEquals(Arrays.copyOf(yPrefix, 3), Arrays.copyOf(prefix.forward(in, false).data, 3));
        assertArrayEquals(yTail, Arrays.copyOf(tail.activation("s").data, 3));
        assertThrows(IllegalArgumentException.class, () -> tail.activation("x"), "x is not in the tail");
    }

    @Test
    void activationsNeedAPlan() {
        Input x = new Input("x", 2);
        Graph g = new Graph(x, new Scale("a", x));
        assertThrows(IllegalStateException.class, () -> g.activation("a"));
    }
}
