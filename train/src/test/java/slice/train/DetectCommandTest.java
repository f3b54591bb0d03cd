package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;
import slice.models.face.Box;

/** {@code detect} on real photos: face-api's faces as JSON in the photo's pixels, at any size, and bad input in one line. */
class DetectCommandTest {
    @TempDir Path tmp;

    record Run(int exit, String out, String err) { }

    static Run run(String... args) {
        return runWithInput(new byte[0], args);
    }

    /** Runs a command in this JVM with {@code stdin} as its standard input; captures its standard output and error. */
    static Run runWithInput(byte[] stdin, String... args) {
        PrintStream out = System.out, err = System.err;
        java.io.InputStream in = System.in;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setIn(new java.io.ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Cli.execute(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(in);
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static String models() {
        return SharedData.require("models/face_api").toString();
    }

    private static List<Box> boxes(JsonObject image) {
        return image.getAsJsonArray("faces").asList().stream().map(f -> {
            JsonArray b = f.getAsJsonObject().getAsJsonArray("box");
            return new Box(b.get(0).getAsDouble(), b.get(1).getAsDouble(), b.get(2).getAsDouble(), b.get(3).getAsDouble());
        }).toList();
    }

    @Test
    void jsonGivesEveryFaceInThePhotosPixelsAsFaceApiDoes() throws Exception {
        Path photo = SharedData.require("images/face_api_samples/sample1.jpg");
        Run r = run("detect", "--face-models", models(), "--json", photo.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject image = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals(1920, image.get("width").getAsInt());
        assertEquals(1280, image.get("height").getAsInt());
        JsonObject reference = JsonParser.parseString(Files.readString(SharedData.require("reference/face_api/reference.json")))
                .getAsJsonObject().getAsJsonArray("images").get(0).getAsJsonObject();
        assertEquals("sample1", reference.get("image").getAsString());
        List<Box> ours = boxes(image), theirs = boxes(reference);
        assertEquals(theirs.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) assertTrue(ours.get(i).iou(theirs.get(i)) > 0.999, "face " + i);
        JsonObject first = image.getAsJsonArray("faces").get(0).getAsJsonObject();
        assertEquals(68, first.getAsJsonArray("landmarks68").size());
        assertEquals(reference.getAsJsonArray("faces").get(0).getAsJsonObject().get("score").getAsDouble(),
                first.get("score").getAsDouble(), 1e-6);
    }

    @Test
    void aPhotoTooLargeToDecodeWholeIsDecimatedAndItsBoxesScaledBack() throws Exception {
        Path photo = SharedData.require("images/face_api_samples/sample1.jpg");
        BufferedImage small = ImageIO.read(photo.toFile());
        BufferedImage big = new BufferedImage(3 * 1920, 3 * 1280, BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(small.getScaledInstance(3 * 1920, 3 * 1280, Image.SCALE_SMOOTH), 0, 0, null);
        Path bigFile = tmp.resolve("big.png");
        ImageIO.write(big, "png", bigFile.toFile());
        Run r = run("detect", "--face-models", models(), "--json", photo.toString(), bigFile.toString());
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        JsonObject original = JsonParser.parseString(lines[0]).getAsJsonObject();
        JsonObject scaled = JsonParser.parseString(lines[1]).getAsJsonObject();
        assertEquals(5760, scaled.get("width").getAsInt());
        assertEquals(3840, scaled.get("height").getAsInt());
        List<Box> expected = boxes(original), got = boxes(scaled);
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            assertTrue(got.get(i).iou(expected.get(i).scale(3, 3)) > 0.9, "face " + i + ": " + got.get(i) + " vs 3 × " + expected.get(i));
        }
    }

    @Test
    void noFaceBadFilesAndBadOptionsAreOneLineEach() throws Exception {
        BufferedImage grey = new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY);
        Path empty = tmp.resolve("wall.png");
        ImageIO.write(grey, "png", empty.toFile());
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "not a photo");
        Run r = run("detect", "--face-models", models(), empty.toString(), text.toString());
        assertEquals(2, r.exit());
        assertEquals(empty + "\tno face", r.out().strip());
        assertTrue(r.err().contains("error: " + text + ": not an image"), r.err());
        Run json = run("detect", "--face-models", models(), "--json", empty.toString());
        assertEquals(0, JsonParser.parseString(json.out().strip()).getAsJsonObject().getAsJsonArray("faces").size());
        Run size = run("detect", "--face-models", models(), "--input-size", "100", empty.toString());
        assertEquals(2, size.exit());
        assertTrue(size.err().contains("--input-size must be a positive multiple of 32"), size.err());
        Run folder = run("detect", "--face-models", tmp.toString(), empty.toString());
        assertEquals(2, folder.exit());
        assertTrue(folder.err().contains(tmp + ": no tiny_face_detector_model-weights_manifest.json here"), folder.err());
        Run threshold = run("detect", "--face-models", models(), "--threshold", "1", empty.toString());
        assertEquals(2, threshold.exit());
    }
}
