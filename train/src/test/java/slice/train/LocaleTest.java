package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Person names beyond ASCII under any locale: with {@code LC_ALL=C} (a systemd service, a cron job) "Zoë" and "Zoé"
 * train and predict as themselves; without the relaunch the locale is named and an unreadable name refused; two
 * folders that are one name once normalised are refused naming both.
 */
class LocaleTest {
    @TempDir Path tmp;

    /** Runs {@code java slice.train.Main args} (no --add-modules) with {@code LC_ALL=C} and no other locale. */
    static RelaunchTest.Run inTheCLocale(String... args) throws Exception {
        return inLocale("C", args);
    }

    private static RelaunchTest.Run inLocale(String locale, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-Xmx1g", Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        Map<String, String> env = builder.environment();
        env.put("CLASSPATH", System.getProperty("java.class.path"));   // as RelaunchTest.java does
        env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
        env.put("LC_ALL", locale);
        Process p = builder.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes(), err = p.getErrorStream().readAllBytes();
        return new RelaunchTest.Run(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static final String ZOE_DIAERESIS = "Zo\u00eb", ZOE_ACUTE = "Zo\u00e9";

    @Test
    void zoeAndZoeTrainAndPredictAsThemselvesUnderTheCLocale() throws Exception {
        Path att = RealData.attFaces();
        Path faces = tmp.resolve("visages-\u00e9t\u00e9");              // the --data argument is beyond ASCII too
        Map<String, String> people = Map.of(ZOE_DIAERESIS, "s1", ZOE_ACUTE, "s2", "Ann", "s3");
        for (Map.Entry<String, String> p : people.entrySet()) {
            Path dir = Files.createDirectories(faces.resolve(p.getKey()));
            for (int i = 1; i <= 10; i++) Files.copy(att.resolve(p.getValue() + "/" + i + ".pgm"), dir.resolve(i + ".pgm"));
        }
        Path out = tmp.resolve("mod\u00e8le");
        RelaunchTest.Run trained = inTheCLocale("train", "--data", faces.toString(), "--faces", "whole", "--model", "mobilenetv2",
                "--alpha", "0.35", "--size", "96", "--weights", RealData.mobileNetV2Alpha035().toString(), "--epochs", "20",
                "--batch", "8",
                "--out", out.toString(), "--cache", tmp.resolve("cache").toString());
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(trained.err().lines().noneMatch(l -> l.contains("locale")), trained.err());
        List<String> classes = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(out.resolve("model.json"), StandardCharsets.UTF_8))
                .getAsJsonObject().getAsJsonArray("class_names")) {
            classes.add(e.getAsString());
        }
        assertEquals(List.of("Ann", ZOE_ACUTE, ZOE_DIAERESIS), classes);
        List<String> split = Files.readAllLines(out.resolve("split.tsv"), StandardCharsets.UTF_8);
        assertEquals(31, split.size());
        for (String line : split.subList(1, split.size())) {
            String[] f = line.split("\t");
            assertEquals(f[1], Path.of(f[0]).getParent().getFileName().toString(), "person = folder, letter for letter: " + line);
        }

        RelaunchTest.Run predicted = inTheCLocale("predict", "--model", out.toString(), faces.resolve(ZOE_DIAERESIS).toString(),
                faces.resolve(ZOE_ACUTE).toString());
        assertEquals(0, predicted.exit(), predicted.err());
        List<String> lines = predicted.out().lines().toList();
        assertEquals(20, lines.size(), predicted.out());
        int right = 0;
        for (String line : lines) {
            String[] f = line.split("\t");
            String folder = Path.of(f[0]).getParent().getFileName().toString();
            assertTrue(Set.of(ZOE_DIAERESIS, ZOE_ACUTE).contains(folder) && Files.isRegularFile(Path.of(f[0])), "the file as named: " + line);
            assertTrue(Set.of("Ann", ZOE_ACUTE, ZOE_DIAERESIS, "unknown").contains(f[1]), "a name of the model: " + line);
            String answer = f[1].equals("unknown") ? f[3].substring("closest ".length()) : f[1];
            if (answer.equals(folder)) right++;
        }
        assertTrue(right >= 15, "named or closest: chance is 1/3; " + right + " of 20 right:\n" + predicted.out());
    }

    @Test
    void everyArgumentReachesTheRelaunchedJvmAsGivenInEitherLocale() throws Exception {
        String odd = tmp.resolve(ZOE_DIAERESIS + " \"quoted\" back\\slash\ttab\nnewline #not a comment").toString();
        for (String locale : List.of("C", "C.UTF-8")) {
            for (String model : List.of(odd, "")) {
                RelaunchTest.Run r = inLocale(locale, "people", "--model", model);
                assertEquals(2, r.exit(), r.err());
                assertTrue(!r.err().contains("locale"), "the child reads names as UTF-8: " + r.err());
                assertTrue(r.err().contains("error: " + model + ": no gallery here (gallery.json): enroll someone first\n"),
                        locale + ": " + r.err());
            }
        }
    }

    @Test
    void withoutTheRelaunchTheLocaleIsNamedAndAnUnreadableNameRefused() throws Exception {
        Path faces = tmp.resolve("faces");
        for (int i = 0; i < 2; i++) {
            BadInputTest.png(faces.resolve(ZOE_DIAERESIS + "/" + i + ".png"), 0xff0000);
            BadInputTest.png(faces.resolve("Ann/" + i + ".png"), 0x0000ff);
        }
        RelaunchTest.Run r = inTheCLocale("--no-relaunch", "train", "--data", faces.toString(), "--faces", "whole",
                "--out", tmp.resolve("out").toString());
        assertEquals(2, r.exit(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.contains("locale")).toList();
        assertEquals(2, warnings.size(), r.err());
        assertTrue(warnings.get(0).startsWith("warning: this locale makes Java read file names and arguments as ANSI_X3.4-1968,"
                + " so names beyond ASCII (Zo"), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8 (the relaunch, without --no-relaunch, does)"),
                warnings.get(0));
        assertTrue(warnings.get(1).matches("error: .*/faces/Zo\\W+: this folder's name cannot be read in the locale's encoding"
                + " \\(ANSI_X3.4-1968\\): run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8"), warnings.get(1));
    }

    @Test
    void twoFoldersThatAreOneNameOnceNormalisedAreRefusedNamingBoth() throws Exception {
        Path faces = tmp.resolve("faces");
        String decomposed = Normalizer.normalize(ZOE_DIAERESIS, Normalizer.Form.NFD);
        for (int i = 0; i < 2; i++) {
            BadInputTest.png(faces.resolve(ZOE_DIAERESIS + "/" + i + ".png"), 0xff0000);
            BadInputTest.png(faces.resolve(decomposed + "/" + i + ".png"), 0x0000ff);
        }
        Path first = faces.resolve(ZOE_DIAERESIS), second = faces.resolve(decomposed);
        if (first.compareTo(second) > 0) {
            Path t = first;
            first = second;
            second = t;
        }
        BadInputTest.assertOneLineError("person folders " + first + " and " + second + " are both '" + ZOE_DIAERESIS
                + "' once normalised (Unicode NFC): merge them or rename one",
                "train", "--data", faces.toString(), "--faces", "whole", "--out", tmp.resolve("out").toString());
    }
}
