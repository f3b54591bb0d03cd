package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;

class DatasetTest {
    @TempDir Path tmp;

    @Test
    void scansAttFaces() {
        Dataset att = Dataset.scan(SharedData.require("faces/att_faces"));
        assertEquals(40, att.classes().size());
        assertEquals(400, att.samples().size());
        assertEquals("s1", att.classes().get(0));
        assertEquals("s10", att.classes().get(1));                 // sorted by name, as Keras does
        assertEquals(List.of("README"), att.skipped().stream().map(s -> s.file().getFileName().toString()).toList());
        Sample first = att.samples().get(0);
        assertEquals("s1/1.pgm", first.name());
        assertEquals(0, first.label());
        assertEquals(64, first.sha256().length());
    }

    @Test
    void skipsBadFilesAndListsThemInOneWarning() throws Exception {
        Path data = tmp.resolve("faces");
        Path alice = Files.createDirectories(data.resolve("alice")), bob = Files.createDirectories(data.resolve("bob/2019"));
        byte[] jpeg = Files.readAllBytes(SharedData.require("faces/lfw_deepfunneled_min20/Colin_Powell/Colin_Powell_0001.jpg"));
        copyAtt("s1/1.pgm", alice.resolve("a1.pgm"));
        copyAtt("s1/2.pgm", alice.resolve("a2.pgm"));
        Files.write(bob.resolve("b1.jpg"), jpeg);                               // recursive inside a class folder
        Files.write(data.resolve("bob/b2.png"), TestImages.encode(TestImages.quadrants(20, 20), "png"));
        Files.write(alice.resolve("empty.jpg"), new byte[0]);
        Files.writeString(alice.resolve("notes.png"), "not really a png\n");
        Files.write(bob.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.write(alice.resolve(".hidden.jpg"), jpeg);
        Files.createDirectories(data.resolve("bob/.thumbnails"));
        Files.write(data.resolve("bob/.thumbnails/t.jpg"), jpeg);
        Files.writeString(data.resolve("labels.csv"), "a,b\n");

        Dataset d = Dataset.scan(data);
        assertEquals(List.of("alice", "bob"), d.classes());
        assertEquals(List.of("alice/a1.pgm", "alice/a2.pgm", "bob/2019/b1.jpg", "bob/b2.png"),
            d.samples().stream().map(Sample::name).toList());
        Map<String, String> reasons = new TreeMap<>();
        for (Dataset.Skipped s : d.skipped()) reasons.put(data.relativize(s.file()).toString().replace('\\', '/'), s.reason());
        assertEquals("empty file", reasons.get("alice/empty.jpg"));
        assertEquals("not an image", reasons.get("alice/notes.png"));
        assertTrue(reasons.get("bob/2019/cut.jpg").startsWith("truncated JPEG"), reasons.get("bob/2019/cut.jpg"));
        assertEquals("hidden", reasons.get("alice/.hidden.jpg"));
        assertEquals("hidden", reasons.get("bob/.thumbnails"));
        assertEquals("not inside a person's folder", reasons.get("labels.csv"));
        assertEquals(6, reasons.size());

        String warning = d.warning().orElseThrow();
        assertTrue(warning.startsWith("warning: skipped 6 files in " + data + ":\n"), warning);
        for (String file : reasons.keySet()) assertEquals(1, count(warning, "\n  " + file + ": "), warning);
        assertEquals(6, warning.split("\n").length - 1);
    }

    @Test
    void cleanFolderHasNoWarning() throws Exception {
        Path data = tmp.resolve("clean");
        twoImagesEach(data, "a", "b");
        assertFalse(Dataset.scan(data).warning().isPresent());
    }

    @Test
    void tooFewImagesOrClassesIsAOneLineError() throws Exception {
        Path data = tmp.resolve("small");
        twoImagesEach(data, "alice");
        copyAtt("s2/1.pgm", data.resolve("bob/1.pgm"));
        Files.writeString(data.resolve("bob/2.jpg"), "broken");
        Files.createDirectories(data.resolve("carol"));
        String message = assertThrows(DataException.class, () -> Dataset.scan(data)).getMessage();
        assertEquals("in " + data + ", 'bob' has 1 usable image (1 skipped), 'carol' has 0 usable images;"
            + " every person needs at least 2 images", message);

        Path single = tmp.resolve("single");
        twoImagesEach(single, "alice");
        message = assertThrows(DataException.class, () -> Dataset.scan(single)).getMessage();
        assertEquals("data folder " + single + " has 1 person folder; need at least 2 (one sub-folder of images per person)", message);

        Path missing = tmp.resolve("nope");
        message = assertThrows(DataException.class, () -> Dataset.scan(missing)).getMessage();
        assertEquals("data folder " + missing + " does not exist or is not a folder", message);
    }

    /** {@code data/<person>/1.pgm} and {@code 2.pgm} for each person: AT&T's s1 for the first, s2 for the second, …. */
    private static void twoImagesEach(Path data, String... people) throws IOException {
        for (int i = 0; i < people.length; i++) {
            for (int image = 1; image <= 2; image++) {
                copyAtt("s" + (i + 1) + "/" + image + ".pgm", data.resolve(people[i] + "/" + image + ".pgm"));
            }
        }
    }

    private static void copyAtt(String relative, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(SharedData.require("faces/att_faces/" + relative), to);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }
}
