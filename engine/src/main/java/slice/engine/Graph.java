package slice.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network: the layers on the paths from a source layer to an output layer, run in creation (topological)
 * order. It owns every activation and gradient buffer, allocated once by {@link #plan} for a batch capacity.
 *
 * <p>The source need not be an {@link Input}: a graph from {@code block_12_add} to {@code out_relu} is the tail of
 * MobileNetV2 fed with cached activations — how transfer learning trains the layers after a cut. Every layer on
 * such a path must depend only on the source and on other layers of the path (a single-tensor boundary).
 *
 * <p>Layers may belong to several graphs (a backbone and its tail share layers), but the buffers belong to
 * whichever graph planned last: plan a graph before running it.
 */
public final class Graph {
    private final Layer source;
    private final Layer output;
    /** Layers after the source, in execution order. */
    private final List<Layer> layers;
    private final Map<String, Layer> byName = new LinkedHashMap<>();
    private int capacity;
    /** Layers whose forward another layer performs (see {@link #fuse}); decided by {@link #plan}. */
    private Set<Layer> fused = Set.of();
    /** The subset of {@link #fused} that a consumer reads through (its input is read instead of its output). */
    private Set<Layer> readThrough = Set.of();
    /** Floats of the largest activation of one slice of an inference plan (16 MB). */
    static final int SLICE_FLOATS = 1 << 22;
    /** Images per slice of an inference plan ({@link #planInference}), 0 otherwise. */
    private int slice;
    /** The whole batch's output under an inference plan, {@code null} otherwise. */
    private Tensor result;

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

    /** Marks every layer from which {@code target} can be reached from {@code source}; returns whether it can. */
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
     * The layers {@link #forward} runs, in order: all but those whose work another layer took over when the graph
     * was planned ({@link #fuse}). Calling their {@code forward} one by one after a {@link #forward} of the same batch
     * repeats that pass — how a profiler times each layer.
     */
    public List<Layer> executedLayers() {
        return layers.stream().filter(l -> !fused.contains(l)).toList();
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
     * gradient flows, a convolution absorbs the frozen batch norm and ReLU after it, and a depthwise convolution the
     * zero padding before it ({@link #fuse}).
     */
    public void plan(int batchCapacity) {
        if (batchCapacity < 1) throw new IllegalArgumentException("batch capacity must be positive");
        capacity = batchCapacity;
        source.out = new Tensor(withBatch(batchCapacity, source.outputShape()));
        source.grad = null;
        Set<Layer> needsGrad = new HashSet<>();
        for (Layer l : layers) {
            boolean learns = l.isTrainable() && l.weights().stream().anyMatch(Param::isTrainable);
            boolean passes = Arrays.stream(l.inputs).anyMatch(needsGrad::contains);
            if (learns || passes) needsGrad.add(l);
        }
        Set<Layer> readThrough = new HashSet<>();
        Map<Layer, Layer> fusedInto = fuse(needsGrad, readThrough);
        for (Layer l : layers) {
            int[] shape = withBatch(batchCapacity, l.outputShape());
            Layer producer = fusedInto.get(l);
            l.out = producer == null ? new Tensor(shape) : producer.out;
            l.grad = needsGrad.contains(l) ? new Tensor(shape) : null;
            l.plan(batchCapacity);
        }
        this.readThrough = Set.copyOf(readThrough);
        readThrough.addAll(fusedInto.keySet());
        fused = Set.copyOf(readThrough);
        slice = 0;
        result = null;
    }

    /**
     * Inference fusion. Where no gradient flows, each layer is offered the chain of sole consumers after it
     * ({@link Layer#fuse}): a convolution takes over a following frozen batch norm and ReLU and applies them to its
     * output while it is in cache. Returns each fused layer → the layer that now computes its output; the fused
     * layer shares that buffer and does not run. Then each layer is offered its input when it is that input's sole
     * consumer ({@link Layer#fuseInput}: a depthwise convolution reads through a zero padding); such inputs are added
     * to {@code readThrough} and do not run. The numbers are the same (the same kernels run on the same values), but
     * a fused layer's buffer holds the value at the end of its chain, and a read-through layer's buffer is stale:
     * read {@code out} only of a chain's last layer (or plan with the layers trainable).
     */
    private Map<Layer, Layer> fuse(Set<Layer> needsGrad, Set<Layer> readThrough) {
        Map<Layer, List<Layer>> consumers = new HashMap<>();
        for (Layer l : layers) for (Layer in : l.inputs) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(l);
        for (Layer l : layers) l.unfuse();
        Map<Layer, Layer> fusedInto = new HashMap<>();
        for (Layer producer : layers) {
            if (fusedInto.containsKey(producer) || needsGrad.contains(producer)) continue;
            Layer last = producer;
            while (last != output) {
                List<Layer> next = consumers.getOrDefault(last, List.of());
                if (next.size() != 1) break;
                Layer candidate = next.get(0);
                if (candidate.inputs.length != 1 || needsGrad.contains(candidate) || !producer.fuse(candidate)) break;
                fusedInto.put(candidate, producer);
                last = candidate;
            }
        }
        for (Layer l : layers) {
            if (fusedInto.containsKey(l) || needsGrad.contains(l) || l.inputs.length != 1) continue;
            Layer producer = l.inputs[0];
            if (producer == source || fusedInto.containsKey(producer) || needsGrad.contains(producer)
                    || consumers.get(producer).size() != 1 || !l.fuseInput(producer)) continue;
            readThrough.add(producer);
        }
        return fusedInto;
    }

    /**
     * Plans a frozen graph for inference only: every layer must be frozen ({@link #setTrainable}{@code (false)}).
     * {@link #forward} then runs a batch of up to {@code batchCapacity} images through the network in slices of a few
     * images (as many as keep the largest activation of a slice under {@value #SLICE_FLOATS} floats: 3 images for
     * MobileNetV2-224 and InceptionV3-299), copying each slice's output into a whole-batch result. The activation
     * buffers are those of one slice, not of the batch, so memory no longer grows with the batch (what a 1 GB heap
     * on a Pi needs), and a slice is still big enough for two threads to share each layer. The numbers are those of
     * a whole-batch pass (no computation mixes images); but only the output holds the whole batch: the other
     * layers' buffers hold the last slice. There is no backward.
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
        shareBuffers(slice);
        capacity = batchCapacity;
        this.slice = slice;
        result = new Tensor(withBatch(batchCapacity, output.outputShape()));
    }

    /**
     * Lets layers whose outputs are never needed at the same time write into the same array (an inference plan has no
     * backward pass, so an output is dead once its last reader has run). Each buffer — a layer's output, shared by a
     * fused chain — lives from the layer that writes it to the last layer that reads it; buffers are handed out in
     * execution order, first fit by size from those whose life has ended (strictly before: a layer never writes over
     * its own input). A network's activations are many times the CPU's caches: MobileNetV2-224's 155 layer outputs
     * are 87 MB per image. With a buffer per layer every pass streams them all through DRAM (a write to a cold line
     * first reads it); shared, they are 13 MB in 4 arrays that stay in L2/L3 (InceptionV3-299: 129 MB → 13 MB in 6).
     * Measured: MobileNetV2 at batch 1 14.7 → 14.1 ms, at batch 32 472 → 424 ms (1 thread).
     */
    private void shareBuffers(int batch) {
        Map<Tensor, Integer> lastRead = new IdentityHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Layer in : layers.get(i).inputs) {
                Layer read = readThrough.contains(in) ? in.inputs[0] : in;
                lastRead.merge(read.out, i, Math::max);
            }
        }
        lastRead.put(output.out, layers.size());
        // The buffers in the order they are first written; source.out (written before any layer) keeps its own.
        Map<Tensor, Integer> firstWrite = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) firstWrite.putIfAbsent(layers.get(i).out, i);
        firstWrite.remove(source.out);
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
        for (Layer l : layers) {
            Tensor t = replacement.get(l.out);
            if (t != null) l.out = t;
        }
    }

    public int capacity() { return capacity; }

    /**
     * Runs the network on {@code x} ({@code [N, ...inputShape]}) and returns the output buffer, re-planning first
     * when N exceeds the capacity. After {@link #planInference} the batch goes through in slices (see there).
     */
    public Tensor forward(Tensor x, boolean training) {
        int[] expected = source.outputShape();
        int[] got = x.shape();
        if (got.length != expected.length + 1 || !Arrays.equals(Arrays.copyOfRange(got, 1, got.length), expected)) {
            throw new IllegalArgumentException("input shape " + Arrays.toString(got) + " does not match [N, "
                    + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "]");
        }
        int n = got[0];
        if (result == null) {
            if (n > capacity) plan(n);
            return run(x, 0, n, training);
        }
        if (n > capacity) planInference(n, slice);
        int sampleOut = output.outputSize();
        result.setBatch(n);
        for (int from = 0; from < n; from += slice) {
            int count = Math.min(slice, n - from);
            System.arraycopy(run(x, from, count, training).data, 0, result.data, from * sampleOut, count * sampleOut);
        }
        return result;
    }

    /** Runs images {@code [from, from + count)} of {@code x} through every layer; returns the output layer's buffer. */
    private Tensor run(Tensor x, int from, int count, boolean training) {
        int sampleIn = source.outputSize();
        source.out.setBatch(count);
        System.arraycopy(x.data, from * sampleIn, source.out.data, 0, count * sampleIn);
        for (Layer l : layers) {
            l.out.setBatch(count);
            if (l.grad != null) l.grad.setBatch(count);
            if (!fused.contains(l)) l.forward(training);
        }
        return output.out;
    }

    /**
     * Back-propagates ∂L/∂output (same shape as the last output) through every layer that needs it, leaving
     * parameter gradients in each trainable {@link Param#grad}. Call after {@link #forward} on the same batch.
     */
    public void backward(Tensor gradOutput) {
        if (output.grad == null) throw new IllegalStateException("nothing in this graph is trainable");
        if (gradOutput.size() != output.grad.size()) {
            throw new IllegalArgumentException("gradient " + gradOutput + " does not match output " + output.grad);
        }
        zeroGradients();
        System.arraycopy(gradOutput.data, 0, output.grad.data, 0, gradOutput.size());
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            if (l.grad != null) l.backward();
        }
    }

    /** Zeroes every layer's ∂L/∂out buffer: consumers add into it during {@link #backward}. */
    public void zeroGradients() {
        for (Layer l : layers) if (l.grad != null) l.grad.zero();
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

    private static int[] withBatch(int n, int[] sample) {
        int[] s = new int[sample.length + 1];
        s[0] = n;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }
}
