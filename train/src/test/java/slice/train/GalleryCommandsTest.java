package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.SharedData;
import slice.engine.layers.Dense;
import slice.models.Architecture;
import slice.models.Preprocessing;
import slice.models.face.FaceLandmarks68;
import slice.train.data.Hashes;
import slice.train.data.ImageDecoder;
import slice.train.data.RgbImage;
import slice.weights.Gallery;
import slice.weights.ModelCard;
import slice.weights.SavedModel;

/**
 * A recogniser made only of enrolments, on real LFW faces: {@link GalleryRecogniser} names held-out photos of
 * enrolled people and answers {@code unknown} for strangers; {@code enroll}, {@code forget} and {@code people} change
 * and list the gallery; bad input is one line, exit code 2, and the model folder's bytes unchanged.
 */
class GalleryCommandsTest {
    private static final String LFW = "faces/lfw_deepfunneled_min20/";
    private static final List<String> KNOWN = List.of("Colin_Powell", "Tony_Blair", "Gerhard_Schroeder");
    private static final List<String> STRANGERS = List.of("Serena_Williams", "Hugo_Chavez");
    private static FaceOptions faces;
    private static GalleryRecogniser recogniser;

    @TempDir Path tmp;

    @BeforeAll
    static void networks() {
        faces = new FaceOptions();
        faces.folder = SharedData.require("models/face_api");
        recogniser = faces.galleryRecogniser(Enrolment.empty());
    }

    /** Photos {@code from .. to-1} (1-based, as LFW numbers them) of {@code person}. */
    private static List<Path> photos(String person, int from, int to) {
        List<Path> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add(SharedData.require(String.format(Locale.ROOT, "%s%s/%s_%04d.jpg", LFW, person, person, i)));
        return out;
    }

    private static GalleryRecogniser.Answer largestAnswer(GalleryRecogniser r, Path photo) throws IOException {
        return r.recognise(ImageDecoder.decode(Files.readAllBytes(photo))).stream()
                .max((a, b) -> Double.compare(a.face().detection().box().area(), b.face().detection().box().area())).orElse(null);
    }

    @Test
    void namesHeldOutPhotosOfEnrolledPeopleAndCallsStrangersUnknown() throws IOException {
        Gallery gallery = Enrolment.empty();
        for (String person : KNOWN) {
            List<Gallery.Photo> enrolled = new ArrayList<>();
            for (Path p : photos(person, 1, 6)) {
                var face = GalleryRecogniser.largest(recogniser.describe(ImageDecoder.decode(Files.readAllBytes(p))));
                enrolled.add(new Gallery.Photo(Hashes.sha256Hex(p), face.descriptor()));
            }
            gallery = Enrolment.add(gallery, person, enrolled);
        }
        GalleryRecogniser r = recogniser.with(gallery);
        int right = 0, known = 0, unknown = 0, strangers = 0;
        for (String person : KNOWN) {
            for (Path p : photos(person, 6, 12)) {
                GalleryRecogniser.Answer a = largestAnswer(r, p);
                known++;
                if (a != null && person.equals(a.person())) right++;
            }
        }
        for (String person : STRANGERS) {
            for (Path p : photos(person, 1, 7)) {
                GalleryRecogniser.Answer a = largestAnswer(r, p);
                strangers++;
                if (a != null && !a.known()) unknown++;
            }
        }
        System.out.printf(Locale.ROOT, "gallery of 3 people x 5 LFW photos, threshold %.4f (%s): held-out photos named right %d/%d,"
                + " strangers unknown %d/%d%n", gallery.threshold(), gallery.thresholdRule(), right, known, unknown, strangers);
        assertEquals(18, known);
        assertTrue(right >= 17, right + "/18 held-out photos named right");
        assertTrue(unknown >= 11, unknown + "/12 strangers unknown");
    }

    @Test
    void aFaceCroppedToThePhotosEdgesIsFoundAndReportedInThePhotosPixels() throws Exception {
        RgbImage photo = ImageDecoder.decode(Files.readAllBytes(SharedData.require("faces/att_faces/s1/7.pgm")));
        List<GalleryRecogniser.DescribedFace> found = recogniser.describe(photo);
        assertEquals(1, found.size());
        slice.models.face.Box box = found.get(0).face().detection().box();
        double margin = 0.1 * photo.width();
        assertTrue(box.x() > -margin && box.y() > -margin && box.right() < photo.width() + margin && box.bottom() < photo.height() + margin
                && box.width() > photo.width() / 2.0, "a " + photo.width() + "x" + photo.height() + " face photo, face box " + box);
        FaceLandmarks68 landmarks = found.get(0).landmarks();
        for (slice.models.face.Point p : List.of(landmarks.leftEyeCentre(), landmarks.rightEyeCentre(), landmarks.mouthLeft())) {
            assertTrue(p.x() > 0 && p.x() < photo.width() && p.y() > 0 && p.y() < photo.height(), "landmark " + p + " in the photo");
        }
        assertTrue(landmarks.leftEyeCentre().x() < landmarks.rightEyeCentre().x()
                && landmarks.leftEyeCentre().y() < landmarks.mouthLeft().y(), "eyes left to right, above the mouth");
    }

    @Test
    void aFaceFillingThePhotoIsFoundAndACopyOnAnotherThreadAgrees() throws Exception {
        RgbImage photo = ImageDecoder.decode(Files.readAllBytes(SharedData.require(LFW + "Tony_Blair/Tony_Blair_0004.jpg")));
        List<GalleryRecogniser.DescribedFace> found = recogniser.describe(photo);
        assertEquals(1, found.size());
        GalleryRecogniser copy = recogniser.copy();
        float[][] other = new float[1][];
        Thread thread = new Thread(() -> other[0] = copy.describe(photo).get(0).descriptor());
        thread.start();
        thread.join();
        assertArrayEquals(found.get(0).descriptor(), other[0]);
    }

    @Test
    void enrollForgetAndPeopleKeepOnePersonPerNormalisedName() throws IOException {
        Path model = tmp.resolve("family");
        String models = faces.folder.toString();
        List<Path> powell = photos("Colin_Powell", 1, 4), blair = photos("Tony_Blair", 1, 3);
        DetectCommandTest.Run first = DetectCommandTest.run("enroll", "--face-models", models, "--model", model.toString(),
                "--person", "Zo\u00eb", powell.get(0).toString(), powell.get(1).toString());
        assertEquals(0, first.exit(), first.err());
        System.out.print(first.out());
        assertTrue(first.out().contains("Zo\u00eb: 2 photos enrolled (2 in all)"), first.out());
        // The same name typed with a combining diaeresis is the same person; a photo enrolled again is not counted twice.
        DetectCommandTest.Run again = DetectCommandTest.run("enroll", "--face-models", models, "--model", model.toString(),
                "--person", "Zoe\u0308", powell.get(1).toString(), powell.get(2).toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains(powell.get(1) + "\talready enrolled, skipped"), again.out());
        assertTrue(again.out().contains("Zo\u00eb: 1 photo enrolled (3 in all)"), again.out());
        DetectCommandTest.Run tony = DetectCommandTest.run("enroll", "--face-models", models, "--model", model.toString(),
                "--person", "Tony Blair", blair.get(0).toString(), blair.get(1).toString());
        assertEquals(0, tony.exit(), tony.err());
        assertTrue(tony.out().contains("gallery: 2 people, unknown beyond distance"), tony.out());
        Path group = SharedData.require("images/face_api_samples/sample1.jpg");
        DetectCommandTest.Run crowd = DetectCommandTest.run("enroll", "--face-models", models, "--model", model.toString(),
                "--person", "Crowd", group.toString());
        assertEquals(0, crowd.exit(), crowd.err());
        assertTrue(crowd.out().contains(group + "\tenrolled (") && crowd.out().contains(" faces: the largest)"), crowd.out());
        assertEquals(0, DetectCommandTest.run("forget", "--model", model.toString(), "Crowd").exit());

        DetectCommandTest.Run people = DetectCommandTest.run("people", "--model", model.toString());
        assertEquals(0, people.exit(), people.err());
        List<String> lines = people.out().lines().toList();
        assertEquals(List.of("Zo\u00eb\t3 photos", "Tony Blair\t2 photos"), lines.subList(0, 2));
        assertTrue(lines.get(2).startsWith("2 people, unknown beyond distance"), lines.get(2));

        // predict with the enrolments alone: photos never enrolled, named; a line per face
        Path newBlair = photos("Tony_Blair", 3, 4).get(0), newPowell = photos("Colin_Powell", 4, 5).get(0);
        DetectCommandTest.Run named = DetectCommandTest.run("predict", "--face-models", models, "--model", model.toString(),
                newBlair.toString(), newPowell.toString());
        assertEquals(0, named.exit(), named.err());
        List<String> answers = named.out().lines().toList();
        assertEquals(2, answers.size(), named.out());
        assertTrue(answers.get(0).matches(java.util.regex.Pattern.quote(newBlair.toString())
                + "\tface 1/1\tbox \\d+,\\d+,\\d+,\\d+\tTony Blair\tdistance 0\\.\\d{3}"), answers.get(0));
        assertTrue(answers.get(1).contains("\tZo\u00eb\tdistance "), answers.get(1));

        DetectCommandTest.Run forget = DetectCommandTest.run("forget", "--model", model.toString(), "Zoe\u0308");
        assertEquals(0, forget.exit(), forget.err());
        Gallery left = Gallery.read(model);
        assertEquals(1, left.people().size());
        assertEquals("Tony Blair", left.people().get(0).name());
        assertEquals(List.of(Hashes.sha256Hex(blair.get(0)), Hashes.sha256Hex(blair.get(1))),
                left.people().get(0).photos().stream().map(Gallery.Photo::sha256).toList());
    }

    @Test
    void badInputIsOneLineExitTwoAndLeavesTheModelUnchanged() throws IOException {
        Path model = tmp.resolve("model");
        String models = faces.folder.toString();
        List<Path> powell = photos("Colin_Powell", 1, 3);
        assertEquals(0, DetectCommandTest.run("enroll", "--face-models", models, "--model", model.toString(), "--person", "Colin Powell",
                powell.get(0).toString(), powell.get(1).toString()).exit());
        Path wall = tmp.resolve("wall.png");
        ImageIO.write(new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY), "png", wall.toFile());
        Path notes = Files.writeString(tmp.resolve("notes.jpg"), "not a photo");
        String photo = photos("Tony_Blair", 1, 2).get(0).toString();

        refused(model, "no face found in the photo", "enroll", "--face-models", models, "--model", model.toString(), "--person", "Wall",
                wall.toString());
        refused(model, "notes.jpg: not an image", "enroll", "--face-models", models, "--model", model.toString(), "--person", "Tony",
                photo, notes.toString());
        refused(model, "must not contain '/'", "enroll", "--face-models", models, "--model", model.toString(), "--person", "a/b", photo);
        refused(model, "must not be empty", "enroll", "--face-models", models, "--model", model.toString(), "--person", "", photo);
        refused(model, "must not be empty", "enroll", "--face-models", models, "--model", model.toString(), "--person", " \t", photo);
        refused(model, "nobody called 'Zo\u00eb' is enrolled", "forget", "--model", model.toString(), "Zoe\u0308");
        refused(tmp.resolve("none"), "no gallery here", "people", "--model", tmp.resolve("none").toString());

        Path sidecar = model.resolve(Gallery.SIDECAR);
        String text = Files.readString(sidecar, StandardCharsets.UTF_8);
        Files.writeString(sidecar, text.replace("Colin Powell", "Colin Powel"), StandardCharsets.UTF_8);
        refused(model, "its fields differ from the copy in", "people", "--model", model.toString());
        refused(model, "its fields differ from the copy in", "enroll", "--face-models", models, "--model", model.toString(),
                "--person", "Tony", photo);
        Files.writeString(sidecar, text, StandardCharsets.UTF_8);
        Path tensors;
        try (Stream<Path> s = Files.list(model)) {
            tensors = s.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(tensors);
        Files.write(tensors, java.util.Arrays.copyOf(whole, whole.length / 2));
        refused(model, "(truncated)", "forget", "--model", model.toString(), "Colin Powell");
        refused(model, "(truncated)", "enroll", "--face-models", models, "--model", model.toString(), "--person", "Tony", photo);

        Path trained = tmp.resolve("trained");
        Input in = new Input("input", 4);
        SavedModel.save(trained.resolve(TrainCommand.MODEL), new Graph(in, new Dense("logits", in, 2, true)),
                new ModelCard(Architecture.MOBILENET_V2, 0.5f, 224, null, List.of("a", "b"), Preprocessing.SCALE_TO_PLUS_MINUS_ONE,
                        Map.of()));
        refused(trained, "holds a trained mobilenetv2 classifier (α 0.5, 2 people), not a gallery", "people", "--model", trained.toString());
        refused(trained, "no split.tsv here: which photos the head was trained on is unknown", "enroll", "--face-models", models,
                "--model", trained.toString(), "--person", "Tony", photo);
    }

    /**
     * Runs {@code args}: exit 2, one error line naming {@code expected}, no stack trace, every file of {@code model} unchanged
     * (but the lock file, which a refused enroll may create).
     */
    private static void refused(Path model, String expected, String... args) throws IOException {
        Map<String, byte[]> before = snapshot(model);
        DetectCommandTest.Run r = DetectCommandTest.run(args);
        assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        List<String> errors = r.err().lines().filter(l -> !l.startsWith("slice: ") && !l.startsWith("warning: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("error: ") && errors.get(0).contains(expected), errors.get(0));
        Map<String, byte[]> after = snapshot(model);
        assertEquals(before.keySet(), after.keySet(), "files of " + model);
        before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
        System.out.println("refused: " + errors.get(0));
    }

    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) return files;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(FolderLock.FILE)) files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        assertFalse(files.keySet().stream().anyMatch(n -> n.endsWith(".tmp")), "a temporary file was left: " + files.keySet());
        return files;
    }
}
