package slice.train;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import slice.engine.Graph;
import slice.engine.Layer;
import slice.engine.Param;
import slice.engine.layers.Dense;
import slice.engine.layers.Dropout;
import slice.engine.layers.GlobalAveragePooling2D;
import slice.engine.layers.ReLU;
import slice.models.Architecture;
import slice.models.ModelSpec;
import slice.train.InvalidSetting.Setting;
import slice.weights.ModelCard;

/**
 * The face recogniser: a backbone cut at a layer, then a head.
 * <pre>
 *   input [S, S, 3] → backbone … → cut            [H, W, C] or [C]
 *                  → head_pool (only when the cut is spatial: global average)   → [C]
 *                  → head_dense (hidden units) → head_relu → head_dropout       (only with a hidden layer)
 *                  → logits (one per person)                                      → [K]
 * </pre>
 * One set of layers, three graphs over it:
 * <ul>
 *   <li>{@link #full}: image → logits, for prediction;</li>
 *   <li>{@link #extractor}: image → the cached layer, frozen (its batch norms in inference mode): what the feature
 *       cache stores. Without fine-tuning the cached layer is the pooled cut; fine-tuning from layer {@code L}, it is
 *       {@code L};</li>
 *   <li>{@link #trainable}: cached layer → logits, fed with cached activations: what the trainer optimises (the head,
 *       plus the backbone layers after {@code L} when fine-tuning, their batch norms in training mode).</li>
 * </ul>
 * Head weights start as Keras' defaults: Glorot-uniform kernels (seeded), zero biases.
 */
public final class FaceModel {
    /** The head: {@code hidden} units (0 = none) with ReLU and dropout {@code dropout} before the logits. */
    public record Head(int hidden, float dropout) {
        public Head {
            if (hidden < 0) throw new InvalidSetting(Setting.HIDDEN_UNITS, " must be >= 0, got " + hidden);
            if (!(dropout >= 0 && dropout < 1)) throw new InvalidSetting(Setting.DROPOUT, " must be in [0, 1), got " + dropout);
        }
    }

    public final ModelSpec spec;
    /** The backbone layer the head sits on. */
    public final String cut;
    /** The layer whose activations are cached; {@code null} fine-tune layer means the pooled cut. */
    public final String fineTuneFrom;
    public final Head head;
    public final Graph full, extractor, trainable;
    /** The layer whose output is the face's embedding {@code [C]}: the pooled cut, what the head reads. */
    public final String embedding;

    private FaceModel(ModelSpec spec, String cut, String fineTuneFrom, Head head, Graph full, Graph extractor, Graph trainable,
                      String embedding) {
        this.spec = spec;
        this.embedding = embedding;
        this.cut = cut;
        this.fineTuneFrom = fineTuneFrom;
        this.head = head;
        this.full = full;
        this.extractor = extractor;
        this.trainable = trainable;
    }

    /**
     * Builds the network (backbone weights still zero: load them into {@link #backbone()}).
     *
     * @param cut          backbone layer for the head, or {@code null} for the pooled features
     * @param fineTuneFrom backbone layer before the cut whose successors are trained, or {@code null} for head only
     */
    public static FaceModel build(ModelSpec spec, String cut, String fineTuneFrom, Head head, int classes, long seed) {
        Graph network = spec.build();
        checkFitsHeap(network, spec.size());
        String cutName = cut == null ? spec.featureLayer() : cut;
        if (!network.hasLayer(cutName)) {
            throw new InvalidSetting(Setting.CUT_LAYER, ": " + spec.architecture().id + " has no layer named '" + cutName + "'");
        }
        Layer cutLayer = network.layer(cutName);
        Layer x = cutLayer;
        if (cutLayer.outputShape().length == 3) x = new GlobalAveragePooling2D("head_pool", x);
        if (x.outputShape().length != 1) {
            throw new InvalidSetting(Setting.CUT_LAYER, " " + cutName + ": its output is not an image or a vector");
        }
        Layer pooled = x;
        SplittableRandom random = new SplittableRandom(seed);
        if (head.hidden() > 0) {
            x = glorot(new Dense("head_dense", x, head.hidden(), true), random);
            x = new ReLU("head_relu", x);
            if (head.dropout() > 0) x = new Dropout("head_dropout", x, head.dropout(), random.nextLong());
        }
        Layer logits = glorot(new Dense("logits", x, classes, true), random);
        Graph full = new Graph(network.source(), logits);

        Layer cached = pooled;
        if (fineTuneFrom != null) {
            Graph backbone = new Graph(network.source(), cutLayer);
            if (!backbone.hasLayer(fineTuneFrom) || fineTuneFrom.equals(cutName) || fineTuneFrom.equals(network.source().name)) {
                throw new InvalidSetting(Setting.FINE_TUNE_LAYER, ": '" + fineTuneFrom + "' is not a layer of " + spec.architecture().id
                        + " before the cut " + cutName);
            }
            cached = backbone.layer(fineTuneFrom);
        }
        full.freezeUpTo(cached.name);
        Graph extractor = new Graph(network.source(), cached);
        Graph trainable;
        try {
            trainable = new Graph(cached, logits);
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(Setting.FINE_TUNE_LAYER, " " + fineTuneFrom + ": the layers after it also need other earlier layers"
                    + " (a residual or branch crosses it); choose a layer where the network is a single tensor, such as a block's output");
        }
        return new FaceModel(spec, cutName, fineTuneFrom, head, full, extractor, trainable, pooled.name);
    }

    /** The backbone from the input to the cut: where ImageNet weights are loaded. */
    public Graph backbone() {
        return new Graph(full.source(), full.layer(cut));
    }

    /** The name of the cached layer: the fine-tune layer, or the pooled cut ({@code <cut>+pool} when pooled here). */
    public String cacheKey() {
        return fineTuneFrom != null ? fineTuneFrom : extractor.output().name.equals("head_pool") ? cut + "+pool" : cut;
    }

    /** The card {@code train} saves with this recogniser: backbone, cut, preprocessing, people, and {@code training}. */
    public ModelCard card(List<String> classes, Map<String, Object> training) {
        return new ModelCard(spec.architecture(), spec.alpha(), spec.size(), cut, classes, spec.preprocessing(), training);
    }

    /**
     * The backbone a card describes (the inverse of {@link #card}); an {@link IllegalArgumentException} when its
     * width or size does not fit the architecture, or its preprocessing is not the architecture's.
     */
    public static ModelSpec specOf(ModelCard card) {
        ModelSpec spec = new ModelSpec(card.architecture(), card.alpha(), card.inputSize(), false, 0);
        if (!card.preprocessing().equals(spec.preprocessing())) {
            throw new IllegalArgumentException("preprocessing '" + card.preprocessing().describe() + "' is not " + spec.architecture().id
                    + "'s (" + spec.preprocessing().describe() + ")");
        }
        return spec;
    }

    /** E.g. {@code mobilenetv2 alpha=0.5 size=224}: the backbone, as reports and the feature cache name it. */
    public static String describe(ModelSpec spec) {
        String width = spec.architecture() == Architecture.MOBILENET_V2 ? " alpha=" + spec.alpha() : "";
        return spec.architecture().id + width + " size=" + spec.size();
    }

    /** Keras' default Dense initialiser: kernel ~ U(±√(6 / (in + out))), bias 0. */
    private static Dense glorot(Dense d, SplittableRandom random) {
        float limit = (float) Math.sqrt(6.0 / (d.in + d.units));
        Param k = d.kernel;
        for (int i = 0; i < k.value.size(); i++) k.value.data[i] = (float) random.nextDouble(-limit, limit);
        return d;
    }

    /**
     * Refuses an input size whose forward activations for one image (the input and every layer's output) take more
     * than half the maximum heap: the network could not run one image beside the weights and the data, and allocating
     * would fail later with less to say. Checked after building, which allocates only the weights.
     */
    private static void checkFitsHeap(Graph network, int size) {
        long bytes = 4 * floatsPerImage(network, false), heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap / 2) {
            throw new InvalidSetting(Setting.INPUT_SIZE, String.format(java.util.Locale.ROOT, " %d needs %,d MB of activations for one image,"
                    + " over half the maximum heap (%,d MB): use a smaller size, or give java a larger -Xmx", size, bytes >> 20, heap >> 20));
        }
    }

    /**
     * Floats of one image's activations in {@code graph}: its input and every layer's output, and with
     * {@code withGradients} each trainable layer's output once more (its gradient).
     */
    static long floatsPerImage(Graph graph, boolean withGradients) {
        long floats = graph.source().outputSize();
        for (Layer l : graph.layers()) floats += (long) l.outputSize() * (withGradients && l.isTrainable() ? 2 : 1);
        return floats;
    }

    /**
     * Images per forward batch so that one batch's activations of {@code graph} take at most a fifth of the maximum
     * heap (MobileNetV2 1.0/224 holds ~40 MB of activations per image; InceptionV3/299 several times more), between
     * 1 and {@code cap}.
     */
    public static int batchFor(Graph graph, int cap) {
        long budget = Runtime.getRuntime().maxMemory() / 5;
        return (int) Math.max(1, Math.min(cap, budget / (4 * floatsPerImage(graph, true))));
    }
}
