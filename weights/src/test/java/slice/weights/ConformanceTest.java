package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import slice.engine.Graph;
import slice.engine.SharedData;
import slice.engine.Tensor;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.models.Architecture;
import slice.models.ModelSpec;

/**
 * The imported models against golden activations from an independent float64 implementation of Keras
 * ({@code shared/data/reference}, see its README): load the real weight file, feed {@code input.npy}, and compare
 * every recorded layer with max |Δ| ≤ 2e-5 · max |reference|, printing each layer's error (the README quotes the
 * largest; the reference's own README allows 1e-4 for any float32 engine). Each network is cut after the last
 * recorded layer, so no more is computed than is checked.
 */
class ConformanceTest {
    private static final double TOLERANCE = 2e-5;

    @Test
    void mobileNetV2Alpha035MatchesReference() throws IOException {
        check(ReferenceMobileNet.FOLDER, new ModelSpec(Architecture.MOBILENET_V2, 0.35f, 224, false, 0).build(),
                ReferenceMobileNet.WEIGHTS);
    }

    @Test
    void mobileNetV2Alpha05MatchesReference() throws IOException {
        check("mobilenet_v2_0.5_224", new ModelSpec(Architecture.MOBILENET_V2, 0.5f, 224, false, 0).build(),
                "models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5");
    }

    @Test
    void inceptionV3RandomWeightsInOfficialLayoutMatchesReference() throws IOException {
        check("inception_v3_random_seed7_299", new ModelSpec(Architecture.INCEPTION_V3, 1f, 299, false, 0).build(),
                "models/inception_v3/random_seed7_keras2_layout_notop.h5");
    }

    /** Real pretrained weights on a network cut after mixed8 (the file ends there), pooled like the full model. */
    @Test
    void inceptionV3PretrainedCutAtMixed8MatchesReference() throws IOException {
        Graph full = new ModelSpec(Architecture.INCEPTION_V3, 1f, 299, false, 0).build();
        Graph cut = full.cutAt("mixed8");
        Graph pooled = new Graph(cut.source(), new GlobalAveragePooling2D("avg_pool", cut.output()));
        check("inception_v3_google2015_mixed8_299", pooled,
                "models/inception_v3/inception_v3_google2015_bnfolded_to_mixed8_keras2_layout.h5");
    }

    /**
     * Transfer learning's split: the backbone cut at {@code block_13_expand_relu}, then the tail fed with its cached
     * output, gives exactly the full network's pooled features (same kernels on the same numbers).
     */
    @Test
    void backboneThenTailEqualsTheFullNetwork() throws IOException {
        Graph full = ReferenceMobileNet.loaded();
        Tensor x = ReferenceMobileNet.input();
        Tensor expected = ReferenceMobileNet.forward(full, x, false).copy();

        Graph backbone = full.cutAt("block_13_expand_relu");
        Graph tail = full.from("block_13_expand_relu");
        backbone.plan(x.dim(0));
        Tensor cached = backbone.forward(x, false).copy();
        assertArrayEquals(new int[] {x.dim(0), 14, 14, 192}, cached.shape());
        tail.plan(x.dim(0));
        Tensor pooled = tail.forward(cached, false);
        assertArrayEquals(expected.shape(), pooled.shape());
        assertArrayEquals(expected.data, Arrays.copyOf(pooled.data, pooled.size()));
    }

    /**
     * The real α 1.0 backbone (converted from TF-slim into the Keras 2 file layout) has no golden activations: check
     * that it loads completely and gives finite, image-specific pooled features with ReLU6's range.
     */
    @Test
    void mobileNetV2Alpha10FromSlimGivesSaneFeatures() throws IOException {
        Graph g = new ModelSpec(Architecture.MOBILENET_V2, 1.0f, 224, false, 0).build();
        KerasImport.Report report = KerasImport.load(
                SharedData.require("models/mobilenet_v2/keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5"), g);
        assertEquals(g.paramCount(), report.paramsLoaded(), report.toString());
        System.out.println(report);
        Tensor x = ReferenceMobileNet.input();
        Tensor f = ReferenceMobileNet.forward(g, x, false);
        int n = f.dim(0), c = f.dim(1);
        assertArrayEquals(new int[] {x.dim(0), 1280}, f.shape());
        for (int i = 0; i < n * c; i++) {
            assertTrue(Float.isFinite(f.data[i]) && f.data[i] >= 0f && f.data[i] <= 6f, "feature " + i + " = " + f.data[i]);
        }
        for (int a = 0; a < n; a++) {
            double norm = 0;
            for (int k = 0; k < c; k++) norm += f.data[a * c + k] * f.data[a * c + k];
            assertTrue(Math.sqrt(norm) > 1, "image " + a + " has a near-zero feature vector");
            for (int b = 0; b < a; b++) {
                double d = 0;
                for (int k = 0; k < c; k++) d = Math.max(d, Math.abs(f.data[a * c + k] - f.data[b * c + k]));
                assertTrue(d > 0.1, "images " + a + " and " + b + " have near-identical features (max |Δ| = " + d + ")");
            }
        }
    }

    /** Loads the weights, runs the graph (cut after the last recorded layer) on input.npy and compares each layer. */
    private static void check(String folder, Graph model, String weights) throws IOException {
        Path dir = SharedData.require("reference/" + folder);
        Map<String, int[]> recorded = activations(Files.readString(dir.resolve("index.json")));
        String last = recorded.keySet().stream()
                .max(Comparator.comparingInt(name -> model.layers().indexOf(model.layer(name)))).orElseThrow();
        Graph g = model.cutAt(last);
        System.out.println(KerasImport.load(SharedData.require(weights), g));

        Tensor x = NpyFile.read(dir.resolve("input.npy"));
        g.setTrainable(false);
        g.plan(x.dim(0));
        g.forward(x, false);
        StringBuilder errors = new StringBuilder();
        for (Map.Entry<String, int[]> e : recorded.entrySet()) {
            Tensor ref = NpyFile.read(dir.resolve(e.getKey() + ".npy"));
            assertArrayEquals(e.getValue(), ref.shape(), e.getKey() + ".npy against index.json");
            Tensor out = g.activation(e.getKey());
            assertArrayEquals(ref.shape(), out.shape(), e.getKey() + " shape");
            double maxRef = 0, maxDiff = 0;
            for (int i = 0; i < ref.size(); i++) {
                maxRef = Math.max(maxRef, Math.abs(ref.data[i]));
                maxDiff = Math.max(maxDiff, Math.abs(ref.data[i] - out.data[i]));
            }
            double rel = maxDiff / maxRef;
            System.out.printf("%s %-28s max|ref| %9.4f  max|Δ| %.3e  relative %.3e%n", folder, e.getKey(), maxRef, maxDiff, rel);
            assertFalse(Double.isNaN(rel), e.getKey() + " produced NaN");
            if (!(rel <= TOLERANCE)) errors.append(String.format("%s: max|Δ| %.3e = %.3e × max|ref|%n", e.getKey(), maxDiff, rel));
        }
        assertEquals("", errors.toString(), folder + ": layers beyond tolerance " + TOLERANCE);
    }

    /** The {@code "activations"} object of an {@code index.json}: layer name → shape, in file order. */
    private static Map<String, int[]> activations(String json) {
        int start = json.indexOf("\"activations\"");
        String body = json.substring(start, json.indexOf('}', start));
        Matcher m = Pattern.compile("\"(\\w+)\"\\s*:\\s*\\[([\\d,\\s]+)]").matcher(body);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        while (m.find()) shapes.put(m.group(1), Arrays.stream(m.group(2).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray());
        return shapes;
    }
}
