package slice.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network: the layers on the paths from a source layer to an output layer, run in creation (topological)
 * order. It owns every activation and gradient buffer, allocated once by {@link #plan} for a batch capacity and
 * handed to each layer as its {@link Node}.
 *
 * <p>The source need not be an {@link Input}: a graph from {@code block_12_add} to {@code out_relu} is the tail of
 * MobileNetV2 fed with cached activations — how transfer learning trains the layers after a cut. Every layer on
 * such a path must depend only on the source and on other layers of the path (a single-tensor boundary).
 *
 * <p>Layers may belong to several graphs (a backbone, its tail and the whole network share layers, and so their
 * weights); each graph has its own nodes, so graphs run in any interleaving without disturbing each other.
 * {@link #activation} reads what a pass computed at any layer this graph kept.
 */
public final class Graph {
    private final Layer source;
    private final Layer output;
    /** Layers after the source, in execution order. */
    private final List<Layer> layers;
    private final Map<String, Layer> byName = new LinkedHashMap<>();
    private int capacity;
    /** Each layer's buffers (the source's too), made by {@link #plan}; empty before. */
    private Map<Layer, Node> nodes = Map.of();
    /** The nodes of {@link #layers} in execution order. */
    private List<Node> ordered = List.of();
    /**
     * Layers whose forward the graph does not run itself: those fused into a neighbour (see {@link #fuse}), those read
     * through by the layer after them, and those of the {@link #frozenPrefix}; decided by {@link #plan}.
     */
    private Set<Layer> notRun = Set.of();
    /** Each fused-away layer → the layer that does its work ({@link #fuse}); decided by {@link #plan}. */
    private Map<Layer, Layer> fusedInto = Map.of();
    /** Each layer → the layers it applies after itself ({@link #fuse}); decided by {@link #plan}. */
    private Map<Layer, List<Layer>> fusedAfter = Map.of();
    /** Each layer → the layer it reads through ({@link #fuse}); decided by {@link #plan}. */
    private Map<Layer, Layer> readThrough = Map.of();
    /**
     * An inference plan's sets of slice buffers, one per thread that runs slices of the batch ({@link #forward}):
     * the first is {@link #nodes}, the others are made when a pass first needs them.
     */
    private final List<Lane> lanes = new ArrayList<>();
    /** Floats of the largest activation of one slice of an inference plan (16 MB). */
    static final int SLICE_FLOATS = 1 << 22;
    /** Images per slice of an inference plan ({@link #planInference}), 0 otherwise. */
    private int slice;
    /** The whole batch's output under an inference plan, {@code null} otherwise. */
    private Tensor result;
    /** The number the current {@link #forward} call took ({@link Node#pass}). */
    private long pass;
    /**
     * A training plan's frozen prefix ({@link #plan}): the graph from the source to the last layer of the prefix,
     * planned for inference, or {@code null} when the plan has none.
     */
    private Graph frozenPrefix;
    /** The layers {@link #frozenPrefix} computes (its last included); empty without one. */
    private Set<Layer> prefixLayers = Set.of();

    public Graph(Layer source, Layer output) {
        this.source = source;
        this.output = output;
        Set<Layer> onPath = new HashSet<>();
        collect(output, source, onPath, new HashSet<>());
        if (!onPath.contains(output) && output != source) {
            throw new IllegalArgumentException("layer " + output.name + " does not depend on " + source.name);
        }
        List<Layer> ordered = new ArrayList<>(onPath);
        ordered.remove(source);
        ordered.sort(Comparator.comparingLong(l -> l.order));
        this.layers = List.copyOf(ordered);
        byName.put(source.name, source);
        for (Layer l : layers) {
            if (byName.put(l.name, l) != null) throw new IllegalArgumentException("two layers are named " + l.name);
            for (Layer in : l.inputs) {
                if (in != source && !onPath.contains(in)) {
                    throw new IllegalArgumentException("layer " + l.name + " needs " + in.name
                            + ", which is not computed from " + source.name + ": cut at a single-tensor boundary");
                }
            }
        }
    }

    /** Adds to {@code onPath} every layer on a path from {@code source} to {@code l}; returns whether {@code l} depends on {@code source}. */
    private static boolean collect(Layer l, Layer source, Set<Layer> onPath, Set<Layer> visited) {
        if (l == source) return true;
        if (onPath.contains(l)) return true;
        if (!visited.add(l)) return false;
        boolean reaches = false;
        for (Layer in : l.inputs) reaches |= collect(in, source, onPath, visited);
        if (reaches) onPath.add(l);
        return reaches;
    }

    public Layer source() { return source; }
    public Layer output() { return output; }
    /** Layers after the source in execution order (the source itself excluded). */
    public List<Layer> layers() { return layers; }

    /**
     * The nodes {@link #forward} runs, in order: all but those whose work another layer took over when the graph was
     * planned ({@link #fuse}) and those of a {@link #frozenPrefix}. Calling the prefix's {@code forward} and then
     * their {@code forward} one by one after a {@link #forward} of the same batch repeats an inference pass — how a
     * profiler times each layer (a training forward would update batch norms' moving statistics again and draw new
     * dropout masks).
     */
    public List<Node> executedNodes() {
        return ordered.stream().filter(n -> !notRun.contains(n.layer)).toList();
    }

    /**
     * The nodes {@link #backward} runs, in its order (last layer first): those of {@link #executedNodes} that a
     * gradient flows through. Calling {@link #seedGradient} and then their {@code backward} one by one
     * after a {@link #backward} of the same batch repeats that pass (without the seed, every input gradient would be
     * added to the last pass's).
     */
    public List<Node> backwardNodes() {
        List<Node> run = new ArrayList<>(executedNodes().stream().filter(n -> n.grad != null).toList());
        Collections.reverse(run);
        return run;
    }

    /**
     * The frozen prefix a training plan runs as an inference plan before its other layers ({@link #plan}): the graph
     * from the source to the prefix's last layer, or {@code null} when this plan has none. Its {@link #forward} of a
     * batch writes the input of the layers after it.
     */
    public Graph frozenPrefix() { return frozenPrefix; }

    /** Every layer's node in execution order (the source excluded); empty before {@link #plan}. */
    public List<Node> nodes() { return ordered; }

    /**
     * What the last {@link #forward} computed at the named layer, {@code [N, ...outputShape]}. Fails when this graph
     * does not keep that value: before it is planned, for a layer the plan fused with others (a convolution that
     * applies the batch norm and ReLU after it, those layers, a batch norm that applies the ReLU after it: only the last
     * layer of a fused chain has its value in the chain's buffer), for a padding read through by the layer after it (its
     * value is never made), and for any layer but the output of a {@link #planInference} plan (its buffers are shared
     * and hold a later layer's values).
     */
    public Tensor activation(String name) { return activation(layer(name)); }

    /** {@link #activation(String)} for a layer of this graph. */
    public Tensor activation(Layer l) {
        Node node = nodes.get(l);
        if (node == null) {
            throw new IllegalStateException(byName.get(l.name) == l ? "graph not planned: no activations yet"
                    : "layer " + l.name + " is not in this graph");
        }
        if (l == output && result != null) return result;
        if (l == source && frozenPrefix != null || prefixLayers.contains(l) && l != frozenPrefix.output) {
            throw new IllegalStateException(l.name + " is computed by this plan's frozen prefix, whose inference plan keeps only "
                    + frozenPrefix.output.name + "'s value (cut the graph at " + l.name + " to read it)");
        }
        if (prefixLayers.contains(l)) return node.out;
        if (result != null) {
            throw new IllegalStateException("an inference plan keeps only the output; " + l.name
                    + "'s buffer is shared with later layers (cut the graph at " + l.name + " to read it)");
        }
        if (ordered.stream().anyMatch(n -> n.readThrough() == l)) {
            throw new IllegalStateException(l.name + " is read through by the layer after it, which does its work from "
                    + l.name + "'s input: its value is never made (read that input instead)");
        }
        if (!node.fusedAfter().isEmpty() || notRun.contains(l) && !isChainEnd(l)) {
            throw new IllegalStateException(l.name + " was fused into a neighbouring layer by this graph's plan and has"
                    + " no value of its own (read the chain's last layer, or cut the graph at " + l.name + ")");
        }
        return node.out;
    }

    /** True when {@code l} is the last layer of a fused chain: the chain's shared buffer holds its value. */
    private boolean isChainEnd(Layer l) {
        for (Node n : ordered) {
            List<Layer> after = n.fusedAfter();
            if (!after.isEmpty() && after.get(after.size() - 1) == l) return true;
        }
        return false;
    }

    /** The layer of that name (the source included). */
    public Layer layer(String name) {
        Layer l = byName.get(name);
        if (l == null) throw new IllegalArgumentException("no layer named '" + name + "'");
        return l;
    }

    public boolean hasLayer(String name) { return byName.containsKey(name); }

    /** The graph from the same source to the named layer: how a backbone is cut for feature extraction. */
    public Graph cutAt(String name) { return new Graph(source, layer(name)); }

    /** The graph from the named layer to the same output: what is trained on activations cached at that layer. */
    public Graph from(String name) { return new Graph(layer(name), output); }

    /** Freezes every layer up to and including {@code name}, unfreezes the rest. */
    public void freezeUpTo(String name) {
        Layer last = layer(name);
        for (Layer l : layers) l.setTrainable(l.order > last.order);
    }

    public void setTrainable(boolean trainable) {
        for (Layer l : layers) l.setTrainable(trainable);
    }

    /** Per-sample input shape (the source layer's output shape). */
    public int[] inputShape() { return source.outputShape(); }

    public int[] outputShape() { return output.outputShape(); }

    /**
     * Allocates every buffer for batches of up to {@code batchCapacity}: outputs for all layers, and gradients
     * for layers a gradient must flow through (those downstream of a trainable layer with parameters). Where no
     * gradient flows, a convolution absorbs the frozen batch norm and ReLU after it; anywhere, a batch norm absorbs the
     * ReLU after it, and a depthwise convolution the zero padding before it, forward and backward, the padding getting
     * no buffers ({@link #fuse}).
     *
     * <p>A frozen prefix — the longest run of first layers that are all frozen, ending at a layer {@code P} that is the
     * only one of them the later layers read (a single-tensor boundary, like {@code mixed7} of a fine-tuned InceptionV3),
     * when a gradient flows somewhere after it — is a pure function of the input that no backward enters. It runs as
     * the graph from the source to {@code P} {@linkplain #planInference planned for inference}: slices of the batch
     * shared out to the threads through buffers that stay in cache, the threads meeting once per pass instead of after
     * every layer. Its layers get no whole-batch buffers here ({@link #activation} refuses them, {@code P} excepted,
     * and {@link #executedNodes} leaves them out: {@link #frozenPrefix} runs them). Its numbers are those of the
     * inference plan, which chooses a convolution's Winograd or direct product (3×3, 1×7, 1×3, …) for a slice rather
     * than for the batch ({@link slice.engine.layers.Conv2D}); otherwise they are the same arithmetic on the same values.
     */
    public void plan(int batchCapacity) {
        if (batchCapacity < 1) throw new IllegalArgumentException("batch capacity must be positive");
        capacity = batchCapacity;
        Set<Layer> needsGrad = new HashSet<>();
        for (Layer l : layers) {
            boolean learns = l.isTrainable() && l.weights().stream().anyMatch(Param::isTrainable);
            boolean passes = Arrays.stream(l.inputs).anyMatch(needsGrad::contains);
            if (learns || passes) needsGrad.add(l);
        }
        int prefixEnd = needsGrad.isEmpty() ? -1 : frozenPrefixEnd();
        prefixLayers = Set.copyOf(layers.subList(0, prefixEnd + 1));
        Map<Layer, List<Layer>> fusedAfter = new HashMap<>();
        Map<Layer, Layer> readThrough = new HashMap<>();
        Map<Layer, Layer> fusedInto = fuse(needsGrad, fusedAfter, readThrough);
        Map<Layer, Node> made = makeNodes(batchCapacity, needsGrad, fusedInto, fusedAfter, readThrough);
        nodes = made;
        ordered = layers.stream().map(made::get).toList();
        Set<Layer> skipped = new HashSet<>(fusedInto.keySet());
        skipped.addAll(readThrough.values());
        skipped.addAll(prefixLayers);
        notRun = Set.copyOf(skipped);
        frozenPrefix = null;
        if (prefixEnd >= 0) {
            Layer last = layers.get(prefixEnd);
            frozenPrefix = new Graph(source, last);
            frozenPrefix.planInference(batchCapacity);
            made.get(last).out = frozenPrefix.result;
        }
        this.fusedInto = Map.copyOf(fusedInto);
        this.fusedAfter = Map.copyOf(fusedAfter);
        this.readThrough = Map.copyOf(readThrough);
        lanes.clear();
        slice = 0;
        result = null;
    }

    /**
     * The index in {@link #layers} of the last layer of the frozen prefix ({@link #plan}), or −1 when there is none:
     * the largest {@code i} such that layers {@code 0..i} are frozen and no layer after {@code i} reads the source or
     * any of them but layer {@code i}.
     */
    private int frozenPrefixEnd() {
        Map<Layer, Integer> index = new HashMap<>();
        index.put(source, -1);
        for (int i = 0; i < layers.size(); i++) index.put(layers.get(i), i);
        int[] lastRead = new int[layers.size() + 1]; // by index + 1: the last layer that reads it
        Arrays.fill(lastRead, -1);
        for (int i = 0; i < layers.size(); i++) {
            for (Layer in : layers.get(i).inputs) lastRead[index.get(in) + 1] = i;
        }
        int end = -1;
        int readLatest = lastRead[0]; // the last reader of the source or of any layer before i
        for (int i = 0; i < layers.size() - 1 && !layers.get(i).isTrainable(); i++) {
            if (readLatest <= i) end = i;
            readLatest = Math.max(readLatest, lastRead[i + 1]);
        }
        return end;
    }

    /**
     * One node per layer (the source's first), with buffers for batches of up to {@code batchCapacity} and the
     * layer's scratch: a fused layer shares its producer's output, and gradient when one flows (training fusion; an
     * inference fusion has none); a layer read through by its consumer gets no buffers.
     */
    private Map<Layer, Node> makeNodes(int batchCapacity, Set<Layer> needsGrad, Map<Layer, Layer> fusedInto,
                                       Map<Layer, List<Layer>> fusedAfter, Map<Layer, Layer> readThrough) {
        Map<Layer, Node> made = new LinkedHashMap<>();
        int sourceImages = prefixLayers.isEmpty() ? batchCapacity : 0; // a frozen prefix reads the input itself
        made.put(source, new Node(source, new Node[0], new Tensor(Tensor.withBatch(sourceImages, source.outputShape())),
                null, List.of(), null));
        for (Layer l : layers) {
            int[] shape = Tensor.withBatch(batchCapacity, l.outputShape());
            Layer producer = fusedInto.get(l);
            Node[] in = Arrays.stream(l.inputs).map(made::get).toArray(Node[]::new);
            // its consumer does its work, or the frozen prefix's inference plan does: no buffers of its own
            boolean readByNext = readThrough.containsValue(l) || prefixLayers.contains(l);
            Tensor out = producer != null ? made.get(producer).out : new Tensor(readByNext ? Tensor.withBatch(0, l.outputShape()) : shape);
            Tensor grad = !needsGrad.contains(l) || readByNext ? null : producer == null ? new Tensor(shape) : made.get(producer).grad;
            made.put(l, new Node(l, in, out, grad, fusedAfter.getOrDefault(l, List.of()), readThrough.get(l)));
        }
        Map<Layer, Integer> readers = new HashMap<>();
        for (Layer l : layers) for (Layer in : l.inputs) readers.merge(in, 1, Integer::sum);
        for (Layer l : layers) {
            // a layer that alone reads its input may defer the input's gradient (Node.deferInGrad), unless it reads
            // through the input or the input's gradient buffer is another layer's (a fused layer's node never runs)
            Layer in = l.inputs.length == 1 ? l.inputs[0] : null;
            if (in != null && readers.get(in) == 1 && !readThrough.containsKey(l) && !fusedInto.containsKey(in)) {
                made.get(in).soleConsumer = true;
            }
        }
        for (Layer l : layers) if (!prefixLayers.contains(l)) made.get(l).planState(batchCapacity);
        return made;
    }

    /**
     * Fusion. Inference fusion first: where no gradient flows, each layer is offered the chain of sole consumers after
     * it ({@link Layer#canFuse}): a convolution takes over a following frozen batch norm and ReLU and applies them to
     * its output while it is in cache. Then training fusion, where gradients may flow: each layer not yet fused is
     * offered its sole consumer ({@link Layer#canFuseWithGradient}: a batch norm applies the ReLU after it, forward
     * and backward), unless the layer is the graph's output. Both fill {@code fusedAfter} (a layer → the layers it
     * applies after itself); the result maps each fused layer → the layer that now computes its output; the fused
     * layer shares that buffer (and its gradient) and does not run. Then each layer, gradient or not, is offered its
     * input when it is that input's sole consumer ({@link Layer#canReadThrough}: a depthwise convolution reads through
     * a zero padding, and its backward writes the padding's input gradient); {@code readThrough} gets consumer →
     * producer, and the producer runs neither pass. The numbers are the same (the same arithmetic on the same values);
     * {@link #activation} refuses the layers whose values are no longer kept.
     */
    private Map<Layer, Layer> fuse(Set<Layer> needsGrad, Map<Layer, List<Layer>> fusedAfter, Map<Layer, Layer> readThrough) {
        Map<Layer, List<Layer>> consumers = new HashMap<>();
        for (Layer l : layers) for (Layer in : l.inputs) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(l);
        Map<Layer, Layer> fusedInto = new HashMap<>();
        for (Layer producer : layers) {
            if (fusedInto.containsKey(producer) || needsGrad.contains(producer) || prefixLayers.contains(producer)) continue;
            List<Layer> chain = new ArrayList<>();
            Layer last = producer;
            while (last != output) {
                List<Layer> next = consumers.getOrDefault(last, List.of());
                if (next.size() != 1) break;
                Layer candidate = next.get(0);
                if (candidate.inputs.length != 1 || needsGrad.contains(candidate) || !producer.canFuse(chain, candidate)) break;
                fusedInto.put(candidate, producer);
                chain.add(candidate);
                last = candidate;
            }
            if (!chain.isEmpty()) fusedAfter.put(producer, List.copyOf(chain));
        }
        for (Layer producer : layers) {
            if (producer == output || fusedInto.containsKey(producer) || fusedAfter.containsKey(producer)
                    || prefixLayers.contains(producer)) continue;
            List<Layer> next = consumers.getOrDefault(producer, List.of());
            if (next.size() != 1 || next.get(0).inputs.length != 1 || !producer.canFuseWithGradient(next.get(0))) continue;
            fusedInto.put(next.get(0), producer);
            fusedAfter.put(producer, List.of(next.get(0)));
        }
        for (Layer l : layers) {
            if (fusedInto.containsKey(l) || l.inputs.length != 1) continue;
            Layer producer = l.inputs[0];
            if (producer == source || prefixLayers.contains(producer) || fusedInto.containsKey(producer)
                    || consumers.get(producer).size() != 1 || !l.canReadThrough(producer)) continue;
            readThrough.put(l, producer);
        }
        return fusedInto;
    }

    /**
     * Plans a frozen graph for inference only: every layer must be frozen ({@link #setTrainable}{@code (false)}).
     * {@link #forward} then runs a batch of up to {@code batchCapacity} images through the network in slices of a few
     * images (as many as keep the largest activation of a slice under {@value #SLICE_FLOATS} floats: 3 images for
     * MobileNetV2-224 and InceptionV3-299), copying each slice's output into a whole-batch result. The activation
     * buffers are those of one slice per thread, not of the batch, so memory does not grow with the batch (what a
     * 1 GB heap on a Pi needs).
     *
     * <p>Threads: a batch of one image runs as one slice whose layers the threads share ({@link Parallel}). In a larger
     * batch each thread takes the next images no thread has taken yet as a slice ({@link #nextSliceImages}), runs it
     * through its own set of slice buffers, every layer on that thread alone, and takes the next, until the batch is
     * done: the threads meet once per batch instead of in every layer, no layer is split into pieces too small to keep
     * two cores busy, and a thread that gets less of its core (another process runs on it) takes fewer slices instead
     * of holding up the one that finished. Slices shrink towards the end of the batch, so the threads finish within
     * about an image of each other.
     *
     * <p>No computation mixes images, so the numbers are the same for any thread count, and those of a whole-batch
     * pass wherever a layer does not choose its product by the batch it was planned for (a convolution's Winograd
     * or direct product, {@link slice.engine.layers.Conv2D}, is chosen for a slice here). Only the output holds the
     * whole batch: the other layers' buffers hold a slice. There is no backward.
     */
    public void planInference(int batchCapacity) {
        int largest = source.outputSize();
        for (Layer l : layers) largest = Math.max(largest, l.outputSize());
        planInference(batchCapacity, Math.max(1, SLICE_FLOATS / largest));
    }

    /** {@link #planInference(int)} with slices of at most {@code sliceImages} images. */
    void planInference(int batchCapacity, int sliceImages) {
        for (Layer l : layers) {
            if (l.isTrainable()) {
                throw new IllegalStateException("layer " + l.name + " is trainable: freeze the graph before planning inference");
            }
        }
        if (batchCapacity < 1) throw new IllegalArgumentException("batch capacity must be positive");
        int slice = Math.min(batchCapacity, sliceImages);
        plan(slice);
        shareBuffers(nodes, ordered);
        lanes.add(new Lane(nodes, ordered));
        capacity = batchCapacity;
        this.slice = slice;
        result = new Tensor(Tensor.withBatch(batchCapacity, output.outputShape()));
    }

    /** One set of an inference plan's slice buffers: a node per layer (the source's included), and the layers' nodes in order. */
    private record Lane(Map<Layer, Node> nodes, List<Node> ordered) { }

    /** The first {@code count} lanes, making the missing ones as {@link #planInference} made the first. */
    private List<Lane> lanes(int count) {
        while (lanes.size() < count) {
            Map<Layer, Node> made = makeNodes(slice, Set.of(), fusedInto, fusedAfter, readThrough);
            List<Node> order = layers.stream().map(made::get).toList();
            shareBuffers(made, order);
            lanes.add(new Lane(made, order));
        }
        return lanes.subList(0, count);
    }

    /**
     * Lets layers whose outputs are never needed at the same time write into the same array (an inference plan has no
     * backward pass, so an output is dead once its last reader has run). Each buffer — a layer's output, shared by a
     * fused chain — lives from the layer that writes it to the last layer that reads it; buffers are handed out in
     * execution order, first fit by size from those whose life has ended (strictly before: a layer never writes over
     * its own input). A network's activations are many times the CPU's caches: MobileNetV2-224's 155 layer outputs
     * are 87 MB per image. With a buffer per layer every pass streams them all through DRAM (a write to a cold line
     * first reads it); shared, they are 10 MB in 4 arrays that stay in L2/L3 (InceptionV3-299: 129 MB → 13 MB in 6;
     * both asserted by the models' {@code ArchitectureTest}).
     * {@code byLayer} is one set of nodes ({@link #makeNodes}), {@code order} its layers' nodes in execution order.
     */
    private void shareBuffers(Map<Layer, Node> byLayer, List<Node> order) {
        Map<Tensor, Integer> lastRead = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            Node node = order.get(i);
            for (int k = 0; k < node.inputCount(); k++) lastRead.merge(node.in(k), i, Math::max);
        }
        lastRead.put(byLayer.get(output).out, order.size());
        // The buffers in the order they are first written; the source's (written before any layer) keeps its own.
        Map<Tensor, Integer> firstWrite = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) firstWrite.putIfAbsent(order.get(i).out, i);
        firstWrite.remove(byLayer.get(source).out);
        Map<Tensor, Tensor> replacement = new IdentityHashMap<>();
        List<float[]> free = new ArrayList<>();
        List<Map.Entry<Tensor, float[]>> live = new ArrayList<>();
        for (Map.Entry<Tensor, Integer> e : firstWrite.entrySet()) {
            int now = e.getValue();
            for (int k = live.size() - 1; k >= 0; k--) {
                if (lastRead.getOrDefault(live.get(k).getKey(), -1) < now) free.add(live.remove(k).getValue());
            }
            Tensor old = e.getKey();
            int size = old.size();
            float[] best = null;
            for (float[] f : free) if (f.length >= size && (best == null || f.length < best.length)) best = f;
            if (best == null) best = new float[size];
            else free.remove(best);
            live.add(Map.entry(old, best));
            replacement.put(old, Tensor.wrap(best, old.shape()));
        }
        for (Node node : order) {
            Tensor t = replacement.get(node.out);
            if (t != null) node.out = t;
        }
    }

    public int capacity() { return capacity; }

    /**
     * Runs the network on {@code x} ({@code [N, ...inputShape]}) and returns the output buffer, re-planning first
     * when N exceeds the capacity. After {@link #planInference} the batch goes through in slices that the threads
     * take in turn (see there).
     */
    public Tensor forward(Tensor x, boolean training) {
        int[] expected = source.outputShape();
        int[] got = x.shape();
        if (got.length != expected.length + 1 || !Arrays.equals(Arrays.copyOfRange(got, 1, got.length), expected)) {
            throw new IllegalArgumentException("input shape " + Arrays.toString(got) + " does not match [N, "
                    + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "]");
        }
        int n = got[0];
        pass = Node.newPass();
        if (result == null) {
            if (n > capacity) plan(n);
            if (frozenPrefix == null) return run(nodes, ordered, x, 0, n, training);
            frozenPrefix.forward(x, false); // into the buffer of the prefix's last layer
            return run(nodes, ordered, null, 0, n, training);
        }
        if (n > capacity) planInference(n, slice);
        result.setBatch(n);
        List<Lane> use = lanes(Math.min(Parallel.threads(), n));
        AtomicInteger taken = new AtomicInteger();
        Parallel.forRange(use.size(), (l0, l1) -> {
            for (int l = l0; l < l1; l++) runSlices(use.get(l), x, n, use.size(), taken, training);
        });
        return result;
    }

    /**
     * Runs slices of the {@code n} images of {@code x} through {@code lane}'s buffers until none is left, copying each
     * slice's output into {@link #result}: each slice is the {@link #nextSliceImages} images after the {@code taken}
     * ones, which it then counts as taken ({@code lanes} threads take slices from the same count).
     */
    private void runSlices(Lane lane, Tensor x, int n, int lanes, AtomicInteger taken, boolean training) {
        int sampleOut = output.outputSize();
        while (true) {
            int first, count;
            do {
                first = taken.get();
                if (first >= n) return;
                count = nextSliceImages(n - first, slice, lanes);
            } while (!taken.compareAndSet(first, first + count));
            Tensor y = run(lane.nodes(), lane.ordered(), x, first, count, training);
            System.arraycopy(y.data, 0, result.data, first * sampleOut, count * sampleOut);
        }
    }

    /**
     * Images in the next slice of an inference pass when {@code remaining} images are left for {@code threads}
     * threads: ⌈remaining / (2·threads − 1)⌉, at most {@code slice}. One thread takes full slices (the last one holds
     * what is left); several take full slices until fewer than about two per thread are left, then smaller ones, so
     * that the last slice, which the other threads may have to wait for, is short.
     */
    static int nextSliceImages(int remaining, int slice, int threads) {
        int parts = 2 * threads - 1;
        return Math.min(slice, (remaining + parts - 1) / parts);
    }

    /**
     * Runs images {@code [from, from + count)} of {@code x} through every layer's node of {@code byLayer}
     * ({@code order}: their layers' nodes in execution order); returns the output layer's buffer. With {@code x}
     * null, after a {@link #frozenPrefix} has run, the layers after the prefix run on what it left.
     */
    private Tensor run(Map<Layer, Node> byLayer, List<Node> order, Tensor x, int from, int count, boolean training) {
        if (x != null) {
            int sampleIn = source.outputSize();
            Tensor in = byLayer.get(source).out.setBatch(count);
            System.arraycopy(x.data, from * sampleIn, in.data, 0, count * sampleIn);
        }
        for (Node node : order) {
            if (notRun.contains(node.layer)) continue; // fused, read through, or run by the frozen prefix
            node.out.setBatch(count);
            if (node.grad != null) node.grad.setBatch(count);
            node.pass = pass;
            node.layer.forward(node, training);
        }
        return byLayer.get(output).out;
    }

    /**
     * Back-propagates ∂L/∂output (same shape as the last output) through every layer that needs it, leaving
     * parameter gradients in each trainable {@link Param#grad}. Call after {@link #forward} on the same batch. A
     * layer fused into the one before it ({@link #fuse}) does not run: that layer's backward does its part, on the
     * gradient buffer they share.
     */
    public void backward(Tensor gradOutput) {
        seedGradient(gradOutput);
        for (int i = ordered.size() - 1; i >= 0; i--) {
            Node node = ordered.get(i);
            if (node.grad == null) continue;
            if (!node.gradWritten) throw new IllegalStateException("no consumer of " + node.layer.name + " wrote its gradient");
            Layer producer = fusedInto.get(node.layer);
            if (producer == null) node.layer.backward(node);
            else nodes.get(producer).gradWritten = true;
        }
    }

    /**
     * Starts a backward pass: ∂L/∂output = {@code gradOutput}, and every other ∂L/∂out buffer counts as unwritten,
     * so the first consumer to write one overwrites it ({@link Node#addsToInGrad}) and no buffer is zeroed.
     */
    public void seedGradient(Tensor gradOutput) {
        Node last = nodes.get(output);
        if (last == null || last.grad == null) throw new IllegalStateException("nothing in this graph is trainable");
        if (gradOutput.size() != last.grad.size()) {
            throw new IllegalArgumentException("gradient " + gradOutput + " does not match output " + last.grad);
        }
        for (Node node : ordered) {
            node.gradWritten = false;
            node.pendingGrad = null;
        }
        System.arraycopy(gradOutput.data, 0, last.grad.data, 0, gradOutput.size());
        last.gradWritten = true;
    }

    /** Every weight (trainable or state) of every layer, in execution order. */
    public List<Param> weights() {
        List<Param> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.weights());
        return all;
    }

    /** The parameters an optimiser updates: trainable parameters of unfrozen layers. */
    public List<Param> trainableParams() {
        List<Param> ps = new ArrayList<>();
        for (Layer l : layers) {
            if (!l.isTrainable()) continue;
            for (Param p : l.weights()) if (p.isTrainable()) ps.add(p);
        }
        return ps;
    }

    /** Number of weights, as Keras counts them (moving statistics included). */
    public long paramCount() {
        long n = 0;
        for (Param p : weights()) n += p.value.size();
        return n;
    }

    /** A table like Keras' {@code model.summary()}: layer, output shape, parameters, MACs. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-34s %-22s %-20s %12s %15s%n";
        sb.append(String.format(fmt, "Layer (type)", "Output Shape", "Connected to", "Param #", "MACs"));
        sb.append("=".repeat(107)).append('\n');
        List<Layer> all = new ArrayList<>();
        all.add(source);
        all.addAll(layers);
        long params = 0, trainable = 0, macs = 0;
        for (Layer l : all) {
            long p = l.weights().stream().mapToLong(w -> w.value.size()).sum();
            params += p;
            if (l.isTrainable()) trainable += l.weights().stream().filter(Param::isTrainable).mapToLong(w -> w.value.size()).sum();
            macs += l.macs();
            String shape = "(None, " + Arrays.toString(l.outputShape()).replaceAll("[\\[\\]]", "") + ")";
            String from = l == source ? "" : String.join(", ", l.inputs().stream().map(i -> i.name).toList());
            if (from.length() > 20) from = from.substring(0, 17) + "...";
            sb.append(String.format(fmt, trim(l.name + " (" + l.typeName() + ")", 34), shape, from, String.format("%,d", p),
                    String.format("%,d", l.macs())));
        }
        sb.append("=".repeat(107)).append('\n');
        sb.append(String.format("Total params: %,d%nTrainable params: %,d%nNon-trainable params: %,d%nMACs per image: %,d%n",
                params, trainable, params - trainable, macs));
        return sb.toString();
    }

    private static String trim(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 3) + "...";
    }
}
