package slice.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import slice.models.face.Box;
import slice.models.face.FaceFinder;
import slice.models.face.Point;
import slice.train.data.FaceIndex;
import slice.train.data.ImageDecoder;

/** {@code detect}: every face in each photo, with its box, score and 68 landmarks. */
@Command(name = "detect", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Find every face in each image with face-api.js's Tiny Face Detector and 68-point landmark net, in pure Java:",
                "one line per face (file, score, box x,y,w,h, landmarks), or with --json one JSON object per image. Coordinates",
                "are pixels of the original (upright) image."},
        footer = {"", "Example:", "  java -jar train.jar detect --json group.jpg"})
final class DetectCommand extends Cli.Task {
    @Option(names = "--input-size", paramLabel = "N", defaultValue = "416",
            description = "Detector input size, a multiple of 32: larger finds smaller faces, slower; a smaller photo is detected at"
                    + " its own size (larger side rounded up to 32, at least 128) (default: ${DEFAULT-VALUE}).")
    int inputSize;

    @Option(names = "--threshold", paramLabel = "T", defaultValue = "0.5",
            description = "Report faces scoring above this, in (0, 1) (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--json", description = "One JSON object per image: image, width, height, faces [{score, box, landmarks68}].")
    boolean json;

    @Option(names = "--tiny-landmarks", description = "Use the tiny 68-point landmark net (faster, less precise).")
    boolean tinyLandmarks;

    @Mixin
    FaceOptions faces;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images; a folder stands for every file below it.")
    List<Path> arguments;

    @Override protected int run() {
        if (!(threshold > 0 && threshold < 1)) throw new UserError("--threshold must be in (0, 1), got " + threshold);
        List<Path> images = PredictCommand.images(arguments);
        FaceFinder finder = faces.finder(inputSize, tinyLandmarks);
        int failed = 0;
        for (Path file : images) {
            ImageDecoder.Scaled photo;
            try {
                photo = FaceIndex.decodePhoto(Files.readAllBytes(file));
            } catch (IOException e) {
                System.err.println("error: " + file + ": " + (e.getMessage() != null ? e.getMessage() : e));
                failed++;
                continue;
            }
            List<FaceFinder.Face> found = finder.find(photo.image().pixels(), photo.image().width(), photo.image().height(), threshold);
            if (json) {
                System.out.println(json(file, photo, found));
            } else if (found.isEmpty()) {
                System.out.println(file + "\tno face");
            } else {
                for (FaceFinder.Face f : found) System.out.println(line(file, photo, f));
            }
        }
        return failed == 0 ? Cli.OK : Cli.USER;
    }

    /** {@code file  score 0.779  box 775.9,445.1,313.1,256.3  landmarks x,y x,y …} (tab-separated). */
    private static String line(Path file, ImageDecoder.Scaled photo, FaceFinder.Face f) {
        Box b = box(photo, f.detection().box());
        StringBuilder sb = new StringBuilder(file.toString())
                .append(String.format(Locale.ROOT, "\tscore %.3f\tbox %.1f,%.1f,%.1f,%.1f\tlandmarks", f.detection().score(),
                        b.x(), b.y(), b.width(), b.height()));
        for (Point p : f.landmarks().points()) {
            sb.append(String.format(Locale.ROOT, " %.1f,%.1f", photo.toPhoto(p.x()), photo.toPhoto(p.y())));
        }
        return sb.toString();
    }

    private static JsonObject json(Path file, ImageDecoder.Scaled photo, List<FaceFinder.Face> found) {
        JsonObject o = new JsonObject();
        o.addProperty("image", file.toString());
        o.addProperty("width", photo.width());
        o.addProperty("height", photo.height());
        JsonArray faces = new JsonArray();
        for (FaceFinder.Face f : found) {
            JsonObject face = new JsonObject();
            face.addProperty("score", round(f.detection().score(), 6));
            Box b = box(photo, f.detection().box());
            JsonArray box = new JsonArray();
            for (double v : new double[] {b.x(), b.y(), b.width(), b.height()}) box.add(round(v, 3));
            face.add("box", box);
            JsonArray points = new JsonArray();
            for (Point p : f.landmarks().points()) {
                JsonArray xy = new JsonArray();
                xy.add(round(photo.toPhoto(p.x()), 3));
                xy.add(round(photo.toPhoto(p.y()), 3));
                points.add(xy);
            }
            face.add("landmarks68", points);
            faces.add(face);
        }
        o.add("faces", faces);
        return o;
    }

    /** A box of the decoded image in the photo's pixels (corners mapped, so a decimated image's boxes scale up). */
    static Box box(ImageDecoder.Scaled photo, Box b) {
        double x0 = photo.toPhoto(b.x()), y0 = photo.toPhoto(b.y());
        return new Box(x0, y0, photo.toPhoto(b.right()) - x0, photo.toPhoto(b.bottom()) - y0);
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
