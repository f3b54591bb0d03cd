package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code predict}: who is in each photo, or {@code unknown}. */
@Command(name = "predict", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Recognise the person in each image: one line per image with the file, the person (or 'unknown'),",
                "and the probability. 'unknown' means the face is too unlike everyone the model knows: its unknown score",
                "(top probability x cosine to the closest person's training photos) is below the threshold calibrated at training."},
        footer = {"", "Example:", "  java -jar train.jar predict --model face-model photo1.jpg photo2.png"})
final class PredictCommand extends Cli.Task {
    @Mixin Options.TrainedModel model;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "1",
            description = "Also list the K most likely people (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--threshold", paramLabel = "P",
            description = "Answer 'unknown' below this unknown score (default: the calibrated one; 0 = never).")
    Float threshold;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images to recognise; a folder stands for every file below it.")
    List<Path> arguments;

    @Override protected int run() {
        if (topK < 1) throw new UserError("--top-k must be at least 1, got " + topK);
        if (threshold != null && !(threshold >= 0 && threshold <= 1)) {
            throw new UserError("--threshold must be in [0, 1], got " + threshold);
        }
        Recogniser r = model.load();
        List<Path> images = expand(arguments);
        float cutoff = threshold != null ? threshold : r.threshold;
        String[] errors = new String[images.size()];
        Recogniser.Answers answers = r.answers(images, errors);
        int k = r.classes.size();
        for (int i = 0; i < images.size(); i++) {
            if (errors[i] != null) {
                System.err.println("error: " + errors[i]);
                continue;
            }
            boolean unknown = answers.scores()[i] < cutoff;
            System.out.println(line(images.get(i).toString(), answers.probs(), i * k, unknown, r.classes, Math.min(topK, k)));
        }
        long failed = java.util.Arrays.stream(errors).filter(e -> e != null).count();
        return failed == 0 ? Cli.OK : Cli.USER;
    }

    /** The files named, with each folder replaced by the non-hidden files below it, in path order. */
    static List<Path> expand(List<Path> arguments) {
        List<Path> files = new ArrayList<>();
        for (Path p : arguments) {
            if (!Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            try (Stream<Path> below = Files.walk(p)) {
                below.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw UserError.about(p, "cannot list this folder (" + e.getMessage() + ")");
            }
        }
        return files;
    }

    /**
     * {@code file  person  0.973}, tab-separated; {@code file  unknown  0.183  closest s17} when the unknown score is
     * below the threshold; then, with top-k, {@code other 0.012} for each next most likely person.
     */
    static String line(String file, float[] probs, int offset, boolean unknown, List<String> classes, int topK) {
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < classes.size(); j++) order.add(j);
        order.sort((a, b) -> Float.compare(probs[offset + b], probs[offset + a]));
        int best = order.get(0);
        StringBuilder sb = new StringBuilder(file).append('\t').append(unknown ? "unknown" : classes.get(best))
                .append(String.format(Locale.ROOT, "\t%.3f", probs[offset + best]));
        if (unknown) sb.append("\tclosest ").append(classes.get(best));
        for (int r = 1; r < topK; r++) {
            int j = order.get(r);
            sb.append('\t').append(classes.get(j)).append(String.format(Locale.ROOT, " %.3f", probs[offset + j]));
        }
        return sb.toString();
    }
}
