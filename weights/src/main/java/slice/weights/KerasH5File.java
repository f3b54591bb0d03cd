package slice.weights;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Keras 2 HDF5 weights file, read with the pure-Java jHDF library.
 *
 * <h2>The layout Keras writes ({@code save_weights('x.h5')} and the Keras Applications files)</h2>
 * <pre>
 * /                          attribute layer_names = ["input_1", "Conv1", "bn_Conv1", ...]   (every layer, in the
 *                            model's topological order; split into layer_names0, layer_names1, ... when over 64 KB)
 * /Conv1                     attribute weight_names = ["Conv1/kernel:0"]   (empty for a layer without weights)
 * /Conv1/Conv1/kernel:0      dataset float32 (3, 3, 3, 16)   — the path is the group plus the weight name
 * /bn_Conv1                  weight_names = [".../gamma:0", ".../beta:0", ".../moving_mean:0", ".../moving_variance:0"]
 * </pre>
 * A whole-model file ({@code model.save('x.h5')}) holds the same tree under the group {@code /model_weights}, next to
 * the model's JSON configuration. Keras 3's {@code .weights.h5} uses a different tree ({@code /layers/<name>/vars/0})
 * and is rejected with a message saying so.
 *
 * <p>Opening reads only the names and shapes; tensor data is read on demand by {@link #read}, so loading the first
 * layers of a large file into a cut network reads only those layers.
 */
public final class KerasH5File implements AutoCloseable {

    /** One stored tensor: its Keras weight name (e.g. {@code Conv1/kernel:0}), where it lives, and its shape. */
    public record Tensor(String weightName, String path, int[] shape) {
        /** The variable name without scope and {@code :0}, e.g. {@code kernel}: what {@link slice.engine.Param} names end with. */
        public String baseName() {
            String s = weightName.substring(weightName.lastIndexOf('/') + 1);
            int colon = s.indexOf(':');
            return colon < 0 ? s : s.substring(0, colon);
        }

        public long size() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    /** One entry of {@code layer_names}: the layer's name and its tensors in {@code weight_names} order. */
    public record LayerGroup(String name, List<Tensor> tensors) {
        public boolean hasWeights() { return !tensors.isEmpty(); }
    }

    private final Path file;
    private final HdfFile hdf;
    private final boolean fullModel;
    private final List<LayerGroup> layers;

    private KerasH5File(Path file, HdfFile hdf, boolean fullModel, List<LayerGroup> layers) {
        this.file = file;
        this.hdf = hdf;
        this.fullModel = fullModel;
        this.layers = layers;
    }

    /** Opens a Keras 2 weights-only or whole-model {@code .h5} file and reads its table of contents. */
    public static KerasH5File open(Path file) {
        if (!Files.isRegularFile(file)) throw new WeightsException(file + ": no such file");
        HdfFile hdf;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new WeightsException(file + ": " + channel.size() + " bytes, too large for a weights file");
            }
            // Mapped, not read through a channel: jHDF then views every structure it reads as a slice of the file, so a
            // damaged size field cannot make it allocate the size it declares (a slice past the end is an exception).
            hdf = HdfFile.fromByteBuffer(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read (" + e + ")", e);
        } catch (RuntimeException e) { // HdfException, and on a damaged superblock arithmetic or buffer exceptions
            if (e instanceof WeightsException) throw e;
            throw new WeightsException(file + ": not an HDF5 file, or a damaged one (" + e.getMessage() + ")", e);
        }
        try {
            Group root = hdf;
            boolean fullModel = false;
            if (stringList(file, hdf, "layer_names") == null && hdf.getChild("model_weights") instanceof Group weights) {
                root = weights;
                fullModel = true;
            }
            List<String> names = stringList(file, root, "layer_names");
            if (names == null) {
                hdf.close();
                throw new WeightsException(file + ": " + unknownLayout(hdf));
            }
            List<LayerGroup> layers = new ArrayList<>();
            for (String name : names) layers.add(readGroup(file, root, name));
            return new KerasH5File(file, hdf, fullModel, List.copyOf(layers));
        } catch (WeightsException e) {
            hdf.close();
            throw e;
        } catch (RuntimeException e) { // jHDF reports damage with HdfException and, on some paths, buffer exceptions
            hdf.close();
            throw new WeightsException(file + ": unreadable HDF5 structure, truncated or damaged? (" + e.getMessage() + ")", e);
        }
    }

    /** Why a file without {@code layer_names} is not a Keras 2 weights file. */
    private static String unknownLayout(HdfFile hdf) {
        if (hdf.getChild("layers") != null || hdf.getChild("vars") != null) {
            return "a Keras 3 .weights.h5 file (groups /layers, /vars), which is not supported; "
                    + "re-save the model in the Keras 2 HDF5 format (model.save('model.h5')) and load that";
        }
        return "not a Keras weights file (no layer_names attribute at / or /model_weights)";
    }

    private static LayerGroup readGroup(Path file, Group root, String name) {
        if (!(root.getChild(name) instanceof Group group)) {
            throw new WeightsException(file + ": layer_names lists '" + name + "' but there is no group " + root.getPath() + name);
        }
        List<String> weightNames = stringList(file, group, "weight_names");
        if (weightNames == null) throw new WeightsException(file + ": group " + group.getPath() + " has no weight_names attribute");
        List<Tensor> tensors = new ArrayList<>();
        for (String weightName : weightNames) {
            String path = group.getPath() + weightName;
            Node node;
            try {
                node = group.getByPath(weightName);
            } catch (HdfException e) {
                node = null;
            }
            if (!(node instanceof Dataset ds)) throw new WeightsException(file + ": weight_names of '" + name + "' lists " + path + ", which is not a dataset");
            tensors.add(new Tensor(weightName, path, ds.getDimensions()));
        }
        return new LayerGroup(name, List.copyOf(tensors));
    }

    /**
     * A string-list attribute as Keras writes it: a 1-D array of (fixed- or variable-length) strings, an empty float
     * array for an empty list, or — when the list exceeds HDF5's 64 KB attribute limit — chunks {@code name0},
     * {@code name1}, … to be concatenated. Returns {@code null} when the attribute is absent.
     */
    static List<String> stringList(Path file, Node node, String name) {
        Attribute whole = node.getAttribute(name);
        if (whole != null) return strings(file, node, whole);
        if (node.getAttribute(name + "0") == null) return null;
        List<String> all = new ArrayList<>();
        for (int chunk = 0; node.getAttribute(name + chunk) != null; chunk++) {
            all.addAll(strings(file, node, node.getAttribute(name + chunk)));
        }
        return all;
    }

    private static List<String> strings(Path file, Node node, Attribute attribute) {
        if (attribute.isEmpty() || attribute.getSize() == 0) return List.of();
        Object data = attribute.getData();
        if (data instanceof String s) return List.of(trimNul(s));
        if (data instanceof String[] array) return Arrays.stream(array).map(KerasH5File::trimNul).toList();
        throw new WeightsException(file + ": attribute " + attribute.getName() + " of " + node.getPath()
                + " holds " + attribute.getJavaType().getSimpleName() + ", not strings");
    }

    /** Fixed-length HDF5 strings are NUL-padded to their width; the padding is not part of the name. */
    private static String trimNul(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\0') end--;
        return s.substring(0, end);
    }

    public Path file() { return file; }

    /** True for a whole-model file (weights under {@code /model_weights}), false for a weights-only file. */
    public boolean isFullModel() { return fullModel; }

    /** Every entry of {@code layer_names}, in file order, weightless layers included. */
    public List<LayerGroup> layers() { return layers; }

    /** The entries that carry weights, in file order: what Keras' {@code load_weights} pairs with the model's layers. */
    public List<LayerGroup> weightedLayers() {
        return layers.stream().filter(LayerGroup::hasWeights).toList();
    }

    /** Number of stored floats, as Keras counts parameters. */
    public long paramCount() {
        return layers.stream().flatMap(l -> l.tensors().stream()).mapToLong(Tensor::size).sum();
    }

    /** Reads one tensor's values (row-major, the stored shape); float32 only, as Keras writes. */
    public float[] read(Tensor tensor) {
        try {
            Dataset ds = hdf.getDatasetByPath(tensor.path());
            if (ds.getJavaType() != float.class) {
                throw new WeightsException(file + ": tensor " + tensor.path() + " is " + ds.getDataType().getClass().getSimpleName()
                        + " of " + ds.getJavaType() + ", expected float32");
            }
            return (float[]) ds.getDataFlat();
        } catch (WeightsException e) {
            throw e;
        } catch (RuntimeException e) { // see open(): damage surfaces as HdfException or a buffer exception
            throw new WeightsException(file + ": cannot read tensor " + tensor.path() + " (" + e.getMessage() + ")", e);
        }
    }

    @Override public void close() { hdf.close(); }
}
