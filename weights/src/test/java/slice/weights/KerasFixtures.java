package slice.weights;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import slice.engine.Layer;
import slice.engine.Node;
import slice.engine.Param;

/** Small Keras-2-layout {@code .h5} files written with jHDF, and a weightless stub layer for building test graphs. */
final class KerasFixtures {
    private KerasFixtures() { }

    /** One file layer: its group name and its tensors (Keras variable name, e.g. {@code kernel}, to shape). */
    record FileLayer(String name, Map<String, int[]> tensors) {
        static FileLayer of(String name, Object... nameShapePairs) {
            Map<String, int[]> t = new LinkedHashMap<>();
            for (int i = 0; i < nameShapePairs.length; i += 2) t.put((String) nameShapePairs[i], (int[]) nameShapePairs[i + 1]);
            return new FileLayer(name, t);
        }
    }

    /**
     * The value stored at element {@code i} of tensor {@code var} of layer {@code layer}: distinct per layer and tensor,
     * so a test can tell which file tensor landed in which parameter.
     */
    static float value(String layer, String var, int i) {
        return (layer + "/" + var).hashCode() % 1000 + i * 1e-3f;
    }

    /**
     * Writes a weights-only file (or, with {@code underModelWeights}, a whole-model file) holding {@code layers} in
     * that order. With {@code chunks > 1}, {@code layer_names} is split into {@code layer_names0..} as Keras does
     * for long lists.
     */
    static Path write(Path file, List<FileLayer> layers, boolean underModelWeights, int chunks) {
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            WritableGroup root = underModelWeights ? hdf.putGroup("model_weights") : hdf;
            String[] names = layers.stream().map(FileLayer::name).toArray(String[]::new);
            if (chunks <= 1) {
                root.putAttribute("layer_names", names);
            } else {
                int per = (names.length + chunks - 1) / chunks;
                for (int c = 0; c < chunks; c++) {
                    List<String> part = new ArrayList<>();
                    for (int i = c * per; i < Math.min(names.length, (c + 1) * per); i++) part.add(names[i]);
                    root.putAttribute("layer_names" + c, part.toArray(String[]::new));
                }
            }
            for (FileLayer l : layers) {
                WritableGroup g = root.putGroup(l.name());
                g.putAttribute("weight_names", l.tensors().keySet().stream().map(v -> l.name() + "/" + v + ":0").toArray(String[]::new));
                WritableGroup scope = g.putGroup(l.name());
                l.tensors().forEach((var, shape) -> scope.putDataset(var + ":0", nested(shape, l.name(), var)));
            }
        }
        return file;
    }

    static Path write(Path file, List<FileLayer> layers) {
        return write(file, layers, false, 1);
    }

    /** A Java multi-dimensional float array of that shape holding {@link #value}s in row-major order. */
    private static Object nested(int[] shape, String layer, String var) {
        Object array = Array.newInstance(float.class, shape);
        fill(array, new int[] {0}, layer, var);
        return array;
    }

    private static void fill(Object array, int[] next, String layer, String var) {
        if (array instanceof float[] f) {
            for (int i = 0; i < f.length; i++) f[i] = value(layer, var, next[0]++);
        } else {
            for (int i = 0; i < Array.getLength(array); i++) fill(Array.get(array, i), next, layer, var);
        }
    }

    /** Asserts that every element of {@code p} holds the fixture value of {@code fileLayer/var}. */
    static boolean holds(Param p, String fileLayer, String var) {
        for (int i = 0; i < p.value.size(); i++) if (p.value.data[i] != value(fileLayer, var, i)) return false;
        return true;
    }

    /** A weightless layer with any output shape: lets a test graph give each weighted layer the input it needs. */
    static final class Stub extends Layer {
        Stub(String name, Layer in, int... shape) {
            super(name, shape, in);
        }

        @Override public void forward(Node node, boolean training) { throw new UnsupportedOperationException("test stub"); }

        @Override public void backward(Node node) { throw new UnsupportedOperationException("test stub"); }
    }
}
