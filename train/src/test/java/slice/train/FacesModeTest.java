package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;

/**
 * {@code --faces detect} end to end on photos with faces somewhere in them (LFW people pasted into 640×480 scenes):
 * {@code train} finds, aligns and learns the faces and lists a photo without one; the model card records the
 * framing; {@code evaluate} and {@code predict} frame photos the same way, {@code predict} with a line per face and
 * {@code --annotate}.
 */
class FacesModeTest {
    private static final List<String> PEOPLE = List.of("Colin_Powell", "George_W_Bush", "Tony_Blair", "Hugo_Chavez", "Ariel_Sharon");
    @TempDir Path tmp;

    @Test
    void trainEvaluateAndPredictOnDetectedFaces() throws Exception {
        Path data = RealData.copyOfPeople("faces/lfw_scenes_min20", PEOPLE, Integer.MAX_VALUE, tmp.resolve("scenes"));
        Path wall = data.resolve("Tony_Blair/wall.png");
        ImageIO.write(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "png", wall.toFile());
        String models = SharedData.require("models/face_api").toString();
        Path out = tmp.resolve("model"), cache = tmp.resolve("cache");
        String[] common = {"--face-models", models};
        DetectCommandTest.Run trained = DetectCommandTest.run(concat(new String[] {"train", "--data", data.toString(),
                "--faces", "detect", "--model", "mobilenetv2", "--alpha", "0.35", "--size", "96",
                "--weights", RealData.mobileNetV2Alpha035().toString(),
                "--epochs", "8", "--out", out.toString(), "--cache", cache.toString()}, common));
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(trained.err().contains("skipped 1 file") && trained.err().contains("wall.png: no face found"), trained.err());
        assertTrue(trained.err().contains("faces: found in 40 of 41 photos"), trained.err());
        JsonObject training = JsonParser.parseString(Files.readString(out.resolve("model.json"))).getAsJsonObject()
                .getAsJsonObject("training");
        assertEquals("detect", training.get("faces").getAsString());
        assertEquals(0.25, training.get("face_margin").getAsDouble());
        JsonObject images = JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonObject("images");
        assertEquals(1, images.get("without_a_face").getAsInt());
        assertTrue(Files.readString(out.resolve("report.md")).contains("1 photos without a face skipped"));
        try (var entries = Files.list(cache.resolve("faces"))) {
            assertTrue(entries.count() > 0, "detections are cached");
        }

        DetectCommandTest.Run evaluated = DetectCommandTest.run(concat(new String[] {"evaluate", "--model", out.toString(),
                "--data", data.toString(), "--split", "test"}, common));
        assertEquals(0, evaluated.exit(), evaluated.err());
        assertTrue(evaluated.out().startsWith("accuracy "), evaluated.out());
        assertTrue(evaluated.err().contains("wall.png: no face found"), evaluated.err());

        Path group = SharedData.require("images/face_api_samples/sample1.jpg"), annotated = tmp.resolve("annotated");
        DetectCommandTest.Run predicted = DetectCommandTest.run(concat(new String[] {"predict", "--model", out.toString(),
                "--annotate", annotated.toString(), group.toString(), wall.toString()}, common));
        assertEquals(0, predicted.exit(), predicted.err());
        List<String> lines = predicted.out().lines().toList();
        assertEquals(4, lines.size(), predicted.out());
        for (int i = 0; i < 3; i++) {
            String[] cols = lines.get(i).split("\t");
            assertEquals(group.toString(), cols[0]);
            assertEquals("face " + (i + 1) + "/3", cols[1]);
            assertTrue(cols[2].matches("box \\d+,\\d+,\\d+,\\d+"), cols[2]);
            assertTrue(PEOPLE.contains(cols[3]) || cols[3].equals("unknown"), cols[3]);
        }
        assertEquals(wall + "\tno face", lines.get(3));
        BufferedImage drawn = ImageIO.read(annotated.resolve("sample1.jpg.png").toFile());
        assertEquals(1920.0 / 1280, (double) drawn.getWidth() / drawn.getHeight(), 0.01, "the photo, decoded as for recognition");

        // A camera's stream on stdin: every frame that is recognised gets a line per face and its latency; a stream cut
        // inside its last frame costs that frame and one warning; the summary counts every frame.
        java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
        frames.write(Files.readAllBytes(group));
        frames.write(Files.readAllBytes(data.resolve("Colin_Powell/Colin_Powell_0001.jpg")));
        byte[] cut = Files.readAllBytes(data.resolve("Tony_Blair/Tony_Blair_0001.jpg"));
        frames.write(cut, 0, cut.length / 2);
        DetectCommandTest.Run live = DetectCommandTest.runWithInput(frames.toByteArray(),
                concat(new String[] {"predict", "--model", out.toString(), "--stream"}, common));
        assertEquals(0, live.exit(), live.err());
        assertTrue(live.err().contains("warning: frame 3: stream ended inside a frame"), live.err());
        assertTrue(live.err().contains("frames: 2 arrived"), live.err());
        assertTrue(!live.out().isBlank(), "the newest frame at least is recognised");
        for (String l : live.out().lines().toList()) assertTrue(l.matches("frame [12]\tface \\d/\\d\t.*\t\\d+ ms"), l);
        assertEquals(1920.0 / 1280, (double) drawn.getWidth() / drawn.getHeight(), 0.01, "the photo, decoded as for recognition");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
