package slice.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference a graph's plan must reproduce: each layer of a {@link Graph} run on its own {@link Node#detached}
 * node, in the graph's order, with no fusion and no buffer shared between layers. Every gradient buffer starts at
 * zero and each consumer adds its share into it. Parameter gradients land in each layer's {@link Param#grad}, as a
 * graph's backward leaves them.
 */
public final class LayerByLayer {
    private final Graph graph;
    private final Map<Layer, Node> nodes = new HashMap<>();

    /** Runs the forward pass of every layer of {@code graph} on {@code x}. */
    public LayerByLayer(Graph graph, Tensor x, boolean training) {
        this.graph = graph;
        for (Layer l : graph.layers()) {
            List<Layer> inputs = l.inputs();
            Tensor[] in = new Tensor[inputs.size()], inGrad = new Tensor[inputs.size()];
            for (int i = 0; i < in.length; i++) {
                Node producer = nodes.get(inputs.get(i));
                in[i] = producer == null ? x : producer.out();
                inGrad[i] = producer == null ? null : producer.grad();
            }
            Node node = Node.detached(l, in, inGrad);
            l.forward(node, training);
            nodes.put(l, node);
        }
    }

    /** Back-propagates ∂L/∂output through every layer, last first. */
    public void backward(Tensor gradOutput) {
        Node last = nodes.get(graph.output());
        System.arraycopy(gradOutput.data, 0, last.grad().data, 0, gradOutput.size());
        List<Layer> layers = graph.layers();
        for (int i = layers.size() - 1; i >= 0; i--) nodes.get(layers.get(i)).backward();
    }

    /** The output of layer {@code l}. */
    public Tensor activation(Layer l) { return nodes.get(l).out(); }

    /** ∂L/∂(output of {@code l}), after {@link #backward}. */
    public Tensor gradient(Layer l) { return nodes.get(l).grad(); }
}
