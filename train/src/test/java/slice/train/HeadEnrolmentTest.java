package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;

/**
 * {@code enroll} into a model written by {@code train} (MobileNetV2 α0.35 at 96 px, faces detected, 4 AT&T people): a
 * fifth person's photos become a new class and only the head is retrained — the old photos' features come from the
 * cache (only the new photos' are computed) — the time is said, the model and split.tsv are rewritten; more photos of
 * a known person; photos of the training set that are gone are said in one line; refusals leave the folder unchanged.
 */
class HeadEnrolmentTest {
    private static final Pattern SUMMARY = Pattern.compile("(\\S+): (\\d+) photos? added; head retrained on (\\d+) photos of (\\d+) people"
            + " \\((\\d+) features computed, the rest from the cache\\) in \\d+\\.\\d s, \\d+\\.\\d s in all; test accuracy .+");
    @TempDir Path tmp;

    @Test
    void enrollingRetrainsTheHeadFromCachedFeatures() throws Exception {
        Path data = RealData.copyOfPeople("faces/att_faces", List.of("s1", "s2", "s3", "s4"), 10, tmp.resolve("att"));
        Path newcomer = RealData.copyOfPeople("faces/att_faces", List.of("s5"), 10, tmp.resolve("new")).resolve("s5");
        String models = SharedData.require("models/face_api").toString();
        Path out = tmp.resolve("model"), cache = tmp.resolve("cache");
        DetectCommandTest.Run trained = DetectCommandTest.run("train", "--data", data.toString(), "--model", "mobilenetv2", "--alpha",
                "0.35", "--size", "96", "--weights", RealData.mobileNetV2Alpha035().toString(), "--epochs", "30", "--lr", "0.01", "--face-models", models,
                "--out", out.toString(), "--cache", cache.toString());
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(trained.err().lines().anyMatch(l -> RunEstimateTest.LINE.matcher(l).matches() && l.contains("features of")),
                "the features' estimate: " + trained.err());
        assertTrue(trained.err().lines().anyMatch(l -> RunEstimateTest.LINE.matcher(l).matches() && l.contains("training up to 28")),
                "the training's estimate after epoch 2: " + trained.err());
        int oldRows = splitRows(out).size();

        List<String> enrolled = new ArrayList<>();
        for (int i = 1; i <= 5; i++) enrolled.add(newcomer.resolve(i + ".pgm").toString());
        DetectCommandTest.Run added = enroll(out, cache, models, "s5", enrolled);
        assertEquals(0, added.exit(), added.err());
        Matcher m = summary(added);
        assertEquals(List.of("s5", "5", "5"), List.of(m.group(1), m.group(2), m.group(4)), added.out());
        assertEquals("5", m.group(5), "only the new photos' features are computed: " + added.out());
        JsonObject card = JsonParser.parseString(Files.readString(out.resolve("model.json"))).getAsJsonObject();
        assertEquals("[\"s1\",\"s2\",\"s3\",\"s4\",\"s5\"]", card.get("class_names").toString());
        List<String[]> rows = splitRows(out);
        assertEquals(oldRows + 5, rows.size());
        assertTrue(rows.subList(oldRows, rows.size()).stream().allMatch(r -> r[1].equals("s5") && r[2].equals("train")));

        System.out.println(added.out());
        List<String> predictArgs = new ArrayList<>(List.of("predict", "--model", out.toString(), "--face-models", models));
        for (int i = 1; i <= 10; i++) predictArgs.add(newcomer.resolve(i + ".pgm").toString());
        DetectCommandTest.Run predicted = DetectCommandTest.run(predictArgs.toArray(String[]::new));
        assertEquals(0, predicted.exit(), predicted.err());
        int[] named = new int[3];   // answered s5: of the 5 enrolled photos, of the 5 unseen; unseen with s5 closest (named or not)
        for (String line : predicted.out().strip().split("\n")) {
            String[] cols = line.split("\t");
            boolean unseen = Integer.parseInt(Path.of(cols[0]).getFileName().toString().replace(".pgm", "")) > 5;
            if (cols[3].equals("s5")) named[unseen ? 1 : 0]++;
            if (unseen && (cols[3].equals("s5") || line.endsWith("closest s5"))) named[2]++;
        }
        System.out.println("answered s5 by the retrained head: " + named[0] + " of its 5 enrolled photos, " + named[1]
                + " of 5 unseen (s5 closest for " + named[2] + ")");
        assertTrue(named[0] >= 4, "measured 5 of 5 enrolled; got " + named[0]);
        assertTrue(named[1] >= 2 && named[2] >= 4, "measured 3 of 5 unseen, s5 closest for 5 of 5 (chance: 1 of 5); got "
                + named[1] + ", " + named[2]);

        Files.delete(Path.of(rows.get(0)[0]));
        DetectCommandTest.Run more = enroll(out, cache, models, "s5", List.of(newcomer.resolve("6.pgm").toString()));
        assertEquals(0, more.exit(), more.out() + more.err());
        assertTrue(more.out().lines().anyMatch(l -> l.startsWith("warning: 1 of the " + (oldRows + 5) + " photos the model learnt from")
                && l.contains(rows.get(0)[0])), "the photo that is gone, in one line: " + more.out());
        assertEquals("5", summary(more).group(4), "s5 is known now: still 5 people");

        byte[] model = Files.readAllBytes(out.resolve("model.safetensors")), split = Files.readAllBytes(out.resolve("split.tsv"));
        DetectCommandTest.Run again = enroll(out, cache, models, "s5", enrolled.subList(0, 2));
        assertEquals(2, again.exit(), again.out() + again.err());
        assertTrue(again.out().contains("already among the model's photos, skipped"), again.out());
        List<String> errors = again.err().lines().filter(l -> !l.startsWith("slice: ")).toList();
        assertEquals(List.of("error: " + out + ": nothing enrolled: no new photo of s5 with a face"), errors);
        assertArrayEquals(model, Files.readAllBytes(out.resolve("model.safetensors")), "the model is unchanged");
        assertArrayEquals(split, Files.readAllBytes(out.resolve("split.tsv")), "split.tsv is unchanged");
    }

    private static DetectCommandTest.Run enroll(Path model, Path cache, String models, String person, List<String> photos) {
        List<String> args = new ArrayList<>(List.of("enroll", "--model", model.toString(), "--cache", cache.toString(),
                "--face-models", models, "--person", person));
        args.addAll(photos);
        return DetectCommandTest.run(args.toArray(String[]::new));
    }

    private static Matcher summary(DetectCommandTest.Run r) {
        String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        Matcher m = SUMMARY.matcher(last);
        assertTrue(m.matches(), last);
        return m;
    }

    private static List<String[]> splitRows(Path model) throws Exception {
        return Files.readAllLines(model.resolve("split.tsv")).stream().filter(l -> !l.startsWith("#")).map(l -> l.split("\t")).toList();
    }
}
