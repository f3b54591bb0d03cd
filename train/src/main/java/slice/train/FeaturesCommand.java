package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import slice.engine.Graph;
import slice.engine.Tensor;
import slice.models.ModelSpec;
import slice.weights.NpyFile;
import slice.train.data.Preprocessor;

/** {@code features}: a backbone's activations at a layer, for images or a preprocessed tensor, as a {@code .npy} file. */
@Command(name = "features", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Write a backbone's activations at a layer (default: the pooled features) to an NHWC float32 .npy file,",
                "for images (decoded, resized and scaled like training) or for an already preprocessed [N, S, S, 3] .npy."},
        footer = {"", "Example:", "  java -jar train.jar features --model mobilenetv2 --alpha 0.5 --size 224 --weights w.h5 \\",
                "      --layer block_13_expand_relu --input-npy input.npy --out features.npy"})
final class FeaturesCommand extends Cli.Task {
    @Mixin Options.Backbone backbone;

    @Mixin Options.Weights weights;

    @Mixin FaceOptions faceModels;

    @Option(names = "--layer", paramLabel = "NAME",
            description = "Layer whose output is written (default: the pooled features).")
    String layer;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Output .npy file.")
    Path out;

    static final class Input {
        @Option(names = "--input-npy", required = true, paramLabel = "X.npy",
                description = "Preprocessed input [N, S, S, 3] float32.")
        Path npy;

        @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images.")
        List<Path> images;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Override protected int run() throws IOException {
        Options.requireFilePath(out, "--out");
        ModelSpec spec = backbone.spec();
        Graph network = spec.build();
        String name = layer != null ? layer : spec.featureLayer();
        if (!network.hasLayer(name)) throw new UserError("--layer: " + spec.architecture().id + " has no layer named '" + name + "'");
        Tensor x = input.npy != null ? readInput(input.npy, spec.size()) : readImages(input.images, spec);
        System.err.println("weights: " + weights.resolve(spec, faceModels).loadInto(network));
        Graph graph = network.cutAt(name);
        graph.setTrainable(false);
        int n = x.dim(0), sampleIn = x.sampleSize(), batch = FaceModel.batchFor(graph, 16);
        Tensor result = new Tensor(Tensor.withBatch(n, graph.outputShape()));
        int sampleOut = result.sampleSize();
        graph.planInference(batch);
        for (int from = 0; from < n; from += batch) {
            int count = Math.min(batch, n - from);
            float[] chunk = Arrays.copyOfRange(x.data, from * sampleIn, (from + count) * sampleIn);
            Tensor y = graph.forward(Tensor.wrap(chunk, count, spec.size(), spec.size(), 3), false);
            System.arraycopy(y.data, 0, result.data, from * sampleOut, count * sampleOut);
        }
        NpyFile.write(out, result);
        System.err.println("wrote " + out + " " + Arrays.toString(result.shape()));
        return Cli.OK;
    }

    private static Tensor readInput(Path npy, int size) throws IOException {
        if (!Files.isRegularFile(npy)) throw UserError.about(npy, "no such file");
        Tensor x = NpyFile.read(npy);
        int[] s = x.shape();
        if (s.length != 4 || s[1] != size || s[2] != size || s[3] != 3) {
            throw UserError.about(npy, "shape " + Arrays.toString(s) + " is not [N, " + size + ", " + size + ", 3] (use --size to match)");
        }
        return x;
    }

    private static Tensor readImages(List<Path> images, ModelSpec spec) {
        int size = spec.size(), length = size * size * 3;
        Tensor x = new Tensor(images.size(), size, size, 3);
        Preprocessor pre = new Preprocessor(size, spec.preprocessing());
        for (int i = 0; i < images.size(); i++) {
            Path f = images.get(i);
            try {
                pre.load(f, x.data, i * length);
            } catch (IOException e) {
                throw UserError.about(f, Recogniser.problem(e));
            }
        }
        return x;
    }
}
