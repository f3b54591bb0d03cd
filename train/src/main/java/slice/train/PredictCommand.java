package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import slice.models.face.Box;
import slice.train.camera.CameraLoop;
import slice.train.camera.DirectoryFrames;
import slice.train.camera.FrameProcessor;
import slice.train.camera.FrameSource;
import slice.train.camera.MjpegFrames;
import slice.train.data.Dataset;
import slice.train.data.FaceIndex;
import slice.train.data.ImageDecoder;
import slice.weights.Gallery;

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

    @Mixin Options.UnknownCutoff unknown;

    @Option(names = "--annotate", paramLabel = "DIR",
            description = "For a model trained with --faces detect: write each photo with its faces boxed and named into DIR.")
    Path annotate;

    @Option(names = "--stream", description = "Recognise a live stream of JPEG frames on stdin (what 'rpicam-vid --codec mjpeg"
            + " -o -' writes): a line per face per frame with its latency; frames it cannot keep up with are dropped.")
    boolean stream;

    @Option(names = "--watch", paramLabel = "DIR",
            description = "Recognise each new image a camera writes into DIR ('rpicam-still --timelapse'), as --stream does.")
    Path watch;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Images to recognise; a folder stands for every file below it.")
    List<Path> arguments = List.of();

    @Override protected int run() throws IOException, InterruptedException {
        if (topK < 1) throw new UserError("--top-k must be at least 1, got " + topK);
        int sources = (stream ? 1 : 0) + (watch != null ? 1 : 0) + (arguments.isEmpty() ? 0 : 1);
        if (sources != 1) throw new UserError("give images, or --stream, or --watch DIR (one of them)");
        if (Files.isDirectory(model.path) && Gallery.isIn(model.path)) return gallery(Gallery.read(model.path));
        Recogniser r = model.load();
        float cutoff = unknown.of(r);
        if (stream || watch != null) return live(r, cutoff);
        if (annotate != null && r.faces == null) {
            throw new UserError("--annotate needs a model trained with --faces detect (this one reads whole photos)");
        }
        if (r.faces != null) return eachPhoto(r::decode, (name, photo, boxes, names) -> faceLines(r, cutoff, name, photo, boxes, names));
        List<Path> images = expand(arguments);
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

    /** What a model says about one photo: a line per face; {@code boxes} and {@code names} get each face's, for --annotate. */
    @FunctionalInterface
    private interface FacesOfPhoto {
        List<String> lines(String name, ImageDecoder.Scaled photo, List<Box> boxes, List<String> names);
    }

    /** How a model decodes a photo's bytes. */
    @FunctionalInterface
    private interface PhotoDecoder {
        ImageDecoder.Scaled decode(byte[] bytes) throws IOException;
    }

    /**
     * Every face of every photo named on the command line, one line each ({@code file  face 1/2  box x,y,w,h  answer}),
     * or {@code file  no face}; with {@code --annotate}, each photo with its faces drawn.
     */
    private int eachPhoto(PhotoDecoder decoder, FacesOfPhoto faces) {
        int failed = 0;
        Set<Path> annotated = new HashSet<>();
        for (Path file : expand(arguments)) {
            ImageDecoder.Scaled photo;
            try {
                photo = decoder.decode(Files.readAllBytes(file));
            } catch (IOException e) {
                System.err.println("error: " + file + ": " + Recogniser.problem(e));
                failed++;
                continue;
            }
            List<Box> boxes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            faces.lines(file.toString(), photo, boxes, names).forEach(System.out::println);
            if (annotate != null) Annotation.write(annotate, file, photo, boxes, names, annotated);
        }
        return failed == 0 ? Cli.OK : Cli.USER;
    }

    /** The lines of one photo for a model trained on detected faces: {@code … person  probability} per face. */
    private List<String> faceLines(Recogniser r, float cutoff, String name, ImageDecoder.Scaled photo, List<Box> boxes,
                                   List<String> names) {
        List<FaceIndex.Found> found = r.faces.all(photo);
        if (found.isEmpty()) return List.of(name + "\tno face");
        int k = r.classes.size();
        Recogniser.Answers answers = r.answers(photo, found);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            Box b = found.get(i).box();
            boolean unknown = answers.scores()[i] < cutoff;
            String where = String.format(Locale.ROOT, "%s\tface %d/%d\tbox %.0f,%.0f,%.0f,%.0f", name, i + 1, found.size(),
                    b.x(), b.y(), b.width(), b.height());
            lines.add(line(where, answers.probs(), i * k, unknown, r.classes, Math.min(topK, k)));
            boxes.add(b);
            names.add(unknown ? "unknown" : r.classes.get(argmax(answers.probs(), i * k, k)));
        }
        return lines;
    }

    /**
     * A recogniser made of enrolments ({@code enroll}): every face of every photo (or frame), one line each ({@code file
     * face 1/2  box x,y,w,h  person  distance 0.412}, or {@code unknown … closest NAME}).
     */
    private int gallery(Gallery gallery) throws IOException, InterruptedException {
        GalleryRecogniser recogniser = model.faceModels.galleryRecogniser(gallery);
        FacesOfPhoto faces = (name, photo, boxes, names) -> galleryLines(recogniser, name, photo, boxes, names);
        if (stream || watch != null) {
            return camera(frame -> faces.lines(frame.name(), FaceIndex.decodePhoto(frame.bytes()), new ArrayList<>(), new ArrayList<>()));
        }
        return eachPhoto(FaceIndex::decodePhoto, faces);
    }

    /** The lines of one photo for a gallery: one per face ({@code boxes} and {@code names} get each face's), or no face. */
    private static List<String> galleryLines(GalleryRecogniser recogniser, String name, ImageDecoder.Scaled photo, List<Box> boxes,
                                             List<String> names) {
        List<GalleryRecogniser.Answer> answers = recogniser.recognise(photo.image());
        if (answers.isEmpty()) return List.of(name + "\tno face");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            GalleryRecogniser.Answer a = answers.get(i);
            Box b = DetectCommand.box(photo, a.face().detection().box());
            boxes.add(b);
            names.add(a.known() ? a.person() : "unknown");
            lines.add(String.format(Locale.ROOT, "%s\tface %d/%d\tbox %.0f,%.0f,%.0f,%.0f\t%s\tdistance %.3f%s", name, i + 1,
                    answers.size(), b.x(), b.y(), b.width(), b.height(), a.known() ? a.person() : "unknown", a.distance(),
                    a.known() || a.nearest() == null ? "" : "\tclosest " + a.nearest()));
        }
        return lines;
    }

    /**
     * {@code --stream} / {@code --watch}: each frame as it comes, a line per face (or per frame, for a model of whole
     * photos) with the frame's latency; the newest frame is taken when recognition falls behind, and a summary (frames,
     * rates, drops, latency) is printed when the stream ends or on Ctrl-C.
     */
    private int live(Recogniser r, float cutoff) throws IOException, InterruptedException {
        int k = r.classes.size();
        FrameProcessor recognise = frame -> {
            ImageDecoder.Scaled photo = r.decode(frame.bytes());
            if (r.faces != null) return faceLines(r, cutoff, frame.name(), photo, new ArrayList<>(), new ArrayList<>());
            Recogniser.Answers a = r.answers(photo.image());
            return List.of(line(frame.name(), a.probs(), 0, a.scores()[0] < cutoff, r.classes, Math.min(topK, k)));
        };
        return camera(recognise);
    }

    /** Runs {@code recognise} on the frames of {@code --stream} or {@code --watch} until they end (or Ctrl-C). */
    private int camera(FrameProcessor recognise) throws IOException, InterruptedException {
        FrameSource source = watch != null
                ? new DirectoryFrames(watch, false, DirectoryFrames.DEFAULT_SETTLE, FrameSource.MAX_FRAME_BYTES)
                : new MjpegFrames(System.in, FrameSource.MAX_FRAME_BYTES);
        CameraLoop loop = new CameraLoop(source, recognise, 1, System.out::println, System.err::println);
        Runtime.getRuntime().addShutdownHook(loop.shutdownHook());
        loop.run();
        return Cli.OK;
    }

    private static int argmax(float[] p, int offset, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (p[offset + j] > p[offset + best]) best = j;
        return best;
    }

    /**
     * The files named, with each folder replaced by the files below it as {@code train} sees them
     * ({@link Dataset#filesBelow}: links followed, hidden files left out); a broken link, link loop or unreadable
     * entry below a folder is one warning line.
     */
    static List<Path> expand(List<Path> arguments) {
        List<Path> files = new ArrayList<>();
        for (Path p : arguments) {
            if (!Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            List<Dataset.Skipped> skipped = new ArrayList<>();
            files.addAll(Dataset.filesBelow(p, skipped));
            for (Dataset.Skipped s : skipped) {
                if (!s.reason().equals("hidden")) System.err.println("warning: " + s.file() + ": " + s.reason() + ", skipped");
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
