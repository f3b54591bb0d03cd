package slice.train;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import slice.engine.Graph;

/** {@code summary}: the layer table of a backbone or of a trained model, like Keras' {@code model.summary()}. */
@Command(name = "summary", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Print every layer with its output shape, parameters and multiply-adds, like Keras' model.summary().",
        footer = {"", "Examples:", "  java -jar train.jar summary --model mobilenetv2 --alpha 0.5 --size 224",
                "  java -jar train.jar summary --model face-model"})
final class SummaryCommand extends Cli.Task {
    @Option(names = "--model", required = true, paramLabel = "NAME|DIR",
            description = "mobilenetv2, inceptionv3, face-resnet, or a folder written by train.")
    String model;

    @Mixin Options.Shape shape;

    @Option(names = "--cut", paramLabel = "LAYER",
            description = "Show the backbone only up to this layer.")
    String cut;

    @Override protected int run() {
        Graph graph;
        if (Files.exists(Path.of(model))) {
            graph = Recogniser.load(Path.of(model), new FaceOptions()).model.full;
        } else {
            graph = shape.spec(model).build();
            if (cut != null) {
                if (!graph.hasLayer(cut)) throw new UserError("--cut: " + model + " has no layer named '" + cut + "'");
                graph = graph.cutAt(cut);
            }
        }
        System.out.print(graph.summary());
        return Cli.OK;
    }
}
