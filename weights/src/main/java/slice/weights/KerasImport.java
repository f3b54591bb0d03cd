package slice.weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Param;

/**
 * Loads a Keras 2 {@code .h5} weights file ({@link KerasH5File}) into any {@link Graph}, pairing the file's layers
 * with the graph's weighted layers the way Keras' own {@code load_weights} does on the official files.
 *
 * <h2>Which file layer goes into which graph layer</h2>
 * One of three rules is chosen per file, first match wins:
 * <ol>
 *   <li>{@link Rule#BY_NUMBER} — the file names its layers with Keras' automatic names, {@code conv2d_N},
 *       {@code batch_normalization_N}, {@code dense_N}, {@code depthwise_conv2d_N} (the official InceptionV3 files).
 *       Keras numbers each layer type in creation order ({@code conv2d_1, conv2d_2, …} in Keras 2, or
 *       {@code conv2d, conv2d_1, …} in later versions), but {@code layer_names} lists them in a topological order
 *       that is not creation order, so neither the file order nor the literal name is safe: the k-th {@code conv2d}
 *       by number goes into the k-th {@code Conv2D} of the graph in creation order, and likewise per type. Layers of
 *       such a file with explicit names (the {@code predictions} top) are matched by name.</li>
 *   <li>{@link Rule#BY_NAME} — every weighted layer of the graph has a file layer of the same name (files written
 *       with the current Keras layer names).</li>
 *   <li>{@link Rule#BY_ORDER} — otherwise: the k-th file layer that carries weights, in {@code layer_names} order, goes
 *       into the k-th weighted layer of the graph. This is what Keras does by default, and the only rule that fits the
 *       official MobileNetV2 files, whose layers carry an older naming scheme ({@code mobl0_conv_0_depthwise}, …).</li>
 * </ol>
 * A graph cut at some layer (a backbone for transfer learning) takes the prefix of a longer file: file layers beyond
 * the graph are skipped and listed in the {@link Report}. A file that stops at the cut loads just as well. A graph
 * layer that gets no file layer is an error.
 *
 * <h2>Checks</h2>
 * Within a layer, tensors are matched by variable name ({@code kernel}, {@code bias}, {@code gamma}, {@code beta},
 * {@code moving_mean}, {@code moving_variance}, {@code depthwise_kernel}); a missing tensor, an unexpected tensor and
 * a shape mismatch are each a one-line {@link WeightsException} naming the file, the layer, the tensor and the shapes;
 * so is a value that is not finite or beyond {@link WeightValues#MAX_ABS}.
 * Every pairing and every shape is checked, and every tensor read, before the first value is copied: a file that
 * does not fit leaves the graph untouched.
 */
public final class KerasImport {
    private KerasImport() { }

    /** How the file's layers were paired with the graph's (see the class comment). */
    public enum Rule { BY_NUMBER, BY_NAME, BY_ORDER }

    /** What was loaded: the rule used, how many layers and floats, and the file layers left out (beyond a cut). */
    public record Report(Path file, Rule rule, int layersLoaded, long paramsLoaded, List<String> skippedFileLayers) {
        @Override public String toString() {
            return String.format("%s: %d layers, %,d weights loaded (%s)%s", file.getFileName(), layersLoaded, paramsLoaded,
                    rule.name().toLowerCase().replace('_', ' '),
                    skippedFileLayers.isEmpty() ? "" : "; " + skippedFileLayers.size() + " file layers beyond the network skipped");
        }
    }

    /** Loads {@code file} into {@code graph}'s weights; throws {@link WeightsException} if the file does not fit. */
    public static Report load(Path file, Graph graph) {
        try (KerasH5File h5 = KerasH5File.open(file)) {
            return load(h5, graph);
        }
    }

    /** Loads an already opened file into {@code graph}'s weights. */
    public static Report load(KerasH5File h5, Graph graph) {
        List<Layer> targets = graph.layers().stream().filter(l -> !l.weights().isEmpty()).toList();
        List<KerasH5File.LayerGroup> groups = h5.weightedLayers();
        Rule rule = chooseRule(targets, groups);
        Map<Layer, KerasH5File.LayerGroup> pairs = switch (rule) {
            case BY_NUMBER -> pairByNumber(h5.file(), targets, groups);
            case BY_NAME -> pairByName(targets, groups);
            case BY_ORDER -> pairByOrder(h5.file(), targets, groups);
        };

        Map<Param, KerasH5File.Tensor> sources = new LinkedHashMap<>();
        pairs.forEach((layer, group) -> sources.putAll(matchTensors(h5.file(), layer, group)));
        Map<Param, float[]> values = new LinkedHashMap<>();
        sources.forEach((param, tensor) -> values.put(param, checkedValues(h5, tensor)));
        long count = 0;
        for (Map.Entry<Param, float[]> e : values.entrySet()) {
            float[] v = e.getValue();
            System.arraycopy(v, 0, e.getKey().value.data, 0, v.length);
            count += v.length;
        }

        Set<String> used = new HashSet<>();
        pairs.values().forEach(g -> used.add(g.name()));
        List<String> skipped = groups.stream().map(KerasH5File.LayerGroup::name).filter(n -> !used.contains(n)).toList();
        return new Report(h5.file(), rule, pairs.size(), count, skipped);
    }

    /** The values of {@code tensor}, checked as pretrained weights ({@link WeightValues#requirePretrained}). */
    private static float[] checkedValues(KerasH5File h5, KerasH5File.Tensor tensor) {
        float[] v = h5.read(tensor);
        WeightValues.requirePretrained(v, h5.file() + ": tensor " + tensor.path());
        return v;
    }

    // ---- choosing the rule ----

    static Rule chooseRule(List<Layer> targets, List<KerasH5File.LayerGroup> groups) {
        Set<String> targetNames = new HashSet<>();
        targets.forEach(l -> targetNames.add(l.name));
        Pattern auto = autoNamePattern(targets);
        boolean anyAuto = false, restByName = true;
        for (KerasH5File.LayerGroup g : groups) {
            if (auto.matcher(g.name()).matches()) anyAuto = true;
            else restByName &= targetNames.contains(g.name());
        }
        if (anyAuto && restByName) return Rule.BY_NUMBER;
        Set<String> groupNames = new HashSet<>();
        groups.forEach(g -> groupNames.add(g.name()));
        if (groupNames.containsAll(targetNames)) return Rule.BY_NAME;
        return Rule.BY_ORDER;
    }

    /**
     * Keras' automatic layer name: the class name in snake case, as {@code keras.backend.unique_object_name} forms it
     * ({@code Conv2D → conv2d}, {@code BatchNormalization → batch_normalization}, {@code DepthwiseConv2D →
     * depthwise_conv2d}), followed by {@code _N} for every layer of that type after the first.
     */
    static String autoName(String kerasTypeName) {
        String s = kerasTypeName.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
    }

    /** {@code (conv2d|batch_normalization|…)(_N)?} over the types of the graph's weighted layers. */
    private static Pattern autoNamePattern(List<Layer> targets) {
        Set<String> prefixes = new TreeSet<>();
        targets.forEach(l -> prefixes.add(Pattern.quote(autoName(l.typeName()))));
        return Pattern.compile("(" + String.join("|", prefixes) + ")(?:_(\\d+))?");
    }

    // ---- the three pairings ----

    private static Map<Layer, KerasH5File.LayerGroup> pairByNumber(Path file, List<Layer> targets, List<KerasH5File.LayerGroup> groups) {
        Map<String, KerasH5File.LayerGroup> byName = new LinkedHashMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        Pattern auto = autoNamePattern(targets);
        // File layers with automatic names, per type prefix, sorted by their number (no suffix = 0).
        Map<String, TreeMap<Integer, KerasH5File.LayerGroup>> numbered = new LinkedHashMap<>();
        for (KerasH5File.LayerGroup g : groups) {
            Matcher m = auto.matcher(g.name());
            if (!m.matches()) continue;
            int n = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
            numbered.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(n, g);
        }
        for (Map.Entry<String, TreeMap<Integer, KerasH5File.LayerGroup>> e : numbered.entrySet()) {
            int expected = e.getValue().firstKey();
            for (int n : e.getValue().keySet()) {
                if (n != expected) {
                    throw new WeightsException(file + ": the " + e.getKey() + " layers are numbered with a gap (" + e.getKey() + "_"
                            + expected + " is missing), so their creation order cannot be recovered");
                }
                expected++;
            }
        }
        Map<Layer, KerasH5File.LayerGroup> pairs = new LinkedHashMap<>();
        Map<String, Integer> taken = new TreeMap<>();
        for (Layer layer : targets) {
            KerasH5File.LayerGroup named = byName.get(layer.name);
            if (named != null && !auto.matcher(layer.name).matches()) {
                pairs.put(layer, named);
                continue;
            }
            String prefix = autoName(layer.typeName());
            int k = taken.merge(prefix, 1, Integer::sum);
            List<KerasH5File.LayerGroup> ofType = new ArrayList<>(numbered.getOrDefault(prefix, new TreeMap<>()).values());
            if (k > ofType.size()) {
                throw new WeightsException(file + ": layer " + layer.name + " (" + layer.typeName() + " number " + k
                        + " in creation order) has no weights in the file, which has " + ofType.size() + " " + prefix + " layers");
            }
            pairs.put(layer, ofType.get(k - 1));
        }
        return pairs;
    }

    private static Map<Layer, KerasH5File.LayerGroup> pairByName(List<Layer> targets, List<KerasH5File.LayerGroup> groups) {
        Map<String, KerasH5File.LayerGroup> byName = new LinkedHashMap<>();
        groups.forEach(g -> byName.put(g.name(), g));
        Map<Layer, KerasH5File.LayerGroup> pairs = new LinkedHashMap<>();
        for (Layer layer : targets) pairs.put(layer, byName.get(layer.name));
        return pairs;
    }

    private static Map<Layer, KerasH5File.LayerGroup> pairByOrder(Path file, List<Layer> targets, List<KerasH5File.LayerGroup> groups) {
        if (groups.size() < targets.size()) {
            Layer first = targets.get(groups.size());
            throw new WeightsException(file + ": layer " + first.name + " (weighted layer " + (groups.size() + 1) + " of "
                    + targets.size() + ") has no weights in the file, whose " + groups.size()
                    + " layers with weights were paired in file order (not every network layer has a file layer of its name)");
        }
        Map<Layer, KerasH5File.LayerGroup> pairs = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) pairs.put(targets.get(i), groups.get(i));
        return pairs;
    }

    // ---- tensors within a layer ----

    /** Pairs each weight of {@code layer} with the file tensor of the same variable name, checking shapes. */
    private static Map<Param, KerasH5File.Tensor> matchTensors(Path file, Layer layer, KerasH5File.LayerGroup group) {
        String where = file + ": layer " + layer.name + (group.name().equals(layer.name) ? "" : " (file layer " + group.name() + ")");
        Map<String, KerasH5File.Tensor> byBase = new LinkedHashMap<>();
        for (KerasH5File.Tensor t : group.tensors()) byBase.put(t.baseName(), t);
        Map<Param, KerasH5File.Tensor> out = new LinkedHashMap<>();
        List<String> expected = new ArrayList<>();
        for (Param p : layer.weights()) {
            String base = p.name.substring(p.name.lastIndexOf('/') + 1);
            expected.add(base);
            KerasH5File.Tensor t = byBase.get(base);
            if (t == null) {
                throw new WeightsException(where + ": missing tensor " + base + " " + Arrays.toString(p.value.shape())
                        + "; the file has " + byBase.keySet());
            }
            if (!Arrays.equals(t.shape(), p.value.shape())) {
                throw new WeightsException(where + ": tensor " + base + " has shape " + Arrays.toString(t.shape())
                        + " in the file, the network expects " + Arrays.toString(p.value.shape()));
            }
            out.put(p, t);
        }
        for (KerasH5File.Tensor t : group.tensors()) {
            if (!expected.contains(t.baseName())) {
                throw new WeightsException(where + ": unexpected tensor " + t.weightName() + " " + Arrays.toString(t.shape())
                        + "; a " + layer.typeName() + " here has " + expected);
            }
        }
        return out;
    }
}
