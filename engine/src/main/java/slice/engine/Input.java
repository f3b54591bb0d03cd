package slice.engine;

/** The entry of a network: holds the batch given to {@link Graph#forward}. It has no computation. */
public final class Input extends Layer {
    public Input(String name, int... shape) {
        super(name, shape);
    }

    @Override public void forward(Node node, boolean training) { /* the graph copies the batch into its output */ }

    @Override public void backward(Node node) { /* nothing upstream */ }

    @Override public String typeName() { return "InputLayer"; }
}
