package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import slice.models.Architecture;
import slice.models.MobileNetV2;
import slice.models.ModelSpec;

/** The option groups several commands share, as picocli mixins: each declared once, with what it turns into. */
final class Options {
    private Options() { }

    /** {@code --alpha A --size S}: a backbone's width and input size. */
    static final class Shape {
        @Option(names = "--alpha", paramLabel = "A", defaultValue = "1.0", completionCandidates = Alphas.class,
                description = "MobileNetV2 width: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        float alpha;

        @Option(names = "--size", paramLabel = "S",
                description = "Input size in pixels (default: 224 for MobileNetV2, 299 for InceptionV3; face-resnet takes only 150).")
        Integer size;

        /** The backbone called {@code model} at this width (only MobileNetV2 has one) and size (default: its ImageNet size). */
        ModelSpec spec(String model) {
            try {
                Architecture architecture = Architecture.byName(model);
                float a = architecture == Architecture.MOBILENET_V2 ? alpha : 1f;
                return new ModelSpec(architecture, a, size == null ? architecture.defaultSize : size, false, 0);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
    }

    /** {@code --model NAME} with its {@link Shape}: which backbone to build. */
    static final class Backbone {
        @Option(names = "--model", paramLabel = "NAME", defaultValue = "mobilenetv2",
                description = "mobilenetv2, inceptionv3 or face-resnet (default: ${DEFAULT-VALUE}).")
        String model;

        @Mixin Shape shape;

        ModelSpec spec() {
            return shape.spec(model);
        }
    }

    /** {@code --weights FILE|auto}: the backbone's pretrained weights. */
    static final class Weights {
        @Option(names = "--weights", paramLabel = "FILE|auto", defaultValue = "auto",
                description = "Keras ImageNet weights (.h5) of the backbone, or for face-resnet a face_recognition_model"
                        + " manifest; auto = the official file, downloaded once into the cache (face-resnet: face-api.js's,"
                        + " from --face-models or the cache) (default).")
        String weights;

        /** The file named, or for {@code auto} the official weights of {@code spec} (face-api's from {@code faceModels}). */
        BackboneWeights resolve(ModelSpec spec, FaceOptions faceModels) throws IOException {
            Path file;
            if (weights.equals("auto")) {
                file = spec.architecture() == Architecture.FACE_RESNET ? faceModels.manifest(FaceOptions.DESCRIPTOR)
                        : WeightsCommand.fetch(spec, false, new WeightsCommand.Where());
            } else {
                file = Path.of(weights);
                if (!Files.isRegularFile(file)) throw UserError.about(file, "no such weights file");
            }
            return BackboneWeights.of(file, spec);
        }
    }

    /** {@code --model DIR}: a recogniser written by {@code train}. */
    static final class TrainedModel {
        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "A folder written by train (or its model.safetensors or model.json).")
        Path path;

        @Mixin FaceOptions faceModels;

        Recogniser load() {
            return Recogniser.load(path, faceModels);
        }
    }

    /** {@code --threshold P}: where a trained model's answers become {@code unknown}. */
    static final class UnknownCutoff {
        /** The threshold given, or null for the calibrated one. */
        Float threshold;

        /** Checked as it is parsed, so a bad value is refused before any work. */
        @Option(names = "--threshold", paramLabel = "P",
                description = "Answer 'unknown' below this unknown score, in [0, 1] (default: the one calibrated at training; 0 = never).")
        void threshold(float p) {
            if (!(p >= 0 && p <= 1)) throw new UserError("--threshold must be in [0, 1], got " + p);
            threshold = p;
        }

        /** The threshold given, or {@code r}'s calibrated one. */
        float of(Recogniser r) {
            return threshold == null ? r.threshold : threshold;
        }
    }

    /**
     * Refuses, before any work, an output folder that cannot become one: {@code dir} or a folder above it exists and is
     * not a folder. {@code option} names the option that gave it ({@code --out}).
     */
    static void requireFolderPath(Path dir, String option) {
        Path absolute = dir.toAbsolutePath();
        for (Path p = absolute; p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) return;
            if (Files.exists(p)) {
                throw UserError.about(p.equals(absolute) ? dir : p,
                        "exists and is not a folder (" + option + " names a folder to write into)");
            }
        }
    }

    /** Refuses, before any work, an output file that cannot be written: {@code file} is a folder, or its folder cannot be one. */
    static void requireFilePath(Path file, String option) {
        if (Files.isDirectory(file)) throw UserError.about(file, "is a folder (" + option + " names the file to write)");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) requireFolderPath(parent, option);
    }

    /** The widths {@code --alpha} takes, for its help: {@link MobileNetV2#ALPHAS}. */
    static final class Alphas implements Iterable<String> {
        @Override public Iterator<String> iterator() {
            return MobileNetV2.ALPHAS.stream().map(String::valueOf).iterator();
        }
    }
}
