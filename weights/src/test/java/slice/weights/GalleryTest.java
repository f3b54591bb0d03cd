package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gallery's files: round trip with Unicode names, one rename as the commit point, and every kind of damage refused. */
class GalleryTest {
    @TempDir Path dir;

    /** A photo of random SHA-256 and a small random descriptor (the fuzz test's seeds use it too). */
    static Gallery.Photo photo(Random r) {
        byte[] sha = new byte[32];
        r.nextBytes(sha);
        float[] d = new float[Gallery.DESCRIPTOR_SIZE];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian() * 0.1f;
        return new Gallery.Photo(HexFormat.of().formatHex(sha), d);
    }

    private static Gallery sample(long seed) {
        Random r = new Random(seed);
        return new Gallery(List.of(new Gallery.Person("Zo\u00eb", List.of(photo(r), photo(r))),
                new Gallery.Person("\u5f20\u4f1f", List.of(photo(r))),
                new Gallery.Person("O'Brien \"Bob\"", List.of(photo(r), photo(r), photo(r)))),
                0.6, "a rule");
    }

    private static List<Path> tensorFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList();
        }
    }

    @Test
    void roundTripKeepsNamesPhotosDescriptorsAndThreshold() throws IOException {
        Gallery g = sample(1);
        g.write(dir);
        Gallery back = Gallery.read(dir);
        assertEquals(0.6, back.threshold());
        assertEquals("a rule", back.thresholdRule());
        assertEquals(3, back.people().size());
        for (int i = 0; i < 3; i++) {
            Gallery.Person want = g.people().get(i), got = back.people().get(i);
            assertEquals(want.name(), got.name());
            assertEquals(want.photos().size(), got.photos().size());
            for (int j = 0; j < want.photos().size(); j++) {
                assertEquals(want.photos().get(j).sha256(), got.photos().get(j).sha256());
                assertArrayEquals(want.photos().get(j).descriptor(), got.photos().get(j).descriptor());
            }
        }
        assertTrue(Files.readString(dir.resolve(Gallery.SIDECAR), StandardCharsets.UTF_8).contains("\"Zo\u00eb\""), "UTF-8, not escaped");
        assertEquals(1, tensorFiles(dir).size());
    }

    @Test
    void rewritingLeavesOneTensorFileAndAnEmptyGalleryIsValid() throws IOException {
        sample(1).write(dir);
        Path first = tensorFiles(dir).get(0);
        sample(2).write(dir);
        List<Path> now = tensorFiles(dir);
        assertEquals(1, now.size());
        assertFalse(now.get(0).equals(first), "new content, new tensor file name");
        new Gallery(List.of(), 0.6, "empty").write(dir);
        assertEquals(0, Gallery.read(dir).people().size());
    }

    /** The people's names and first descriptors of a gallery, enough to tell two samples apart. */
    private static String summary(Gallery g) {
        StringBuilder s = new StringBuilder();
        for (Gallery.Person p : g.people()) s.append(p.name()).append(p.photos().get(0).descriptor()[0]).append(';');
        return s.toString();
    }

    @Test
    void aReadDuringWhichAWriterCommitsAnotherGalleryAndThenThisOneAgainReadsThisOne() {
        Gallery a = sample(1), b = sample(2);
        a.write(dir);
        int[] reads = {0};
        // The first read's sidecar names a's tensor file; before its tensor read, enrol (b: a's file deleted), and after
        // it, forget (a again: the same sidecar, the same file name, written anew). The sidecar read after the failed
        // read equals the one before it.
        Gallery got = Gallery.read(dir, (folder, sc, sidecar) -> {
            if (++reads[0] > 1) return Gallery.readOnce(folder, sc, sidecar);
            b.write(folder);
            try {
                return Gallery.readOnce(folder, sc, sidecar);
            } finally {
                a.write(folder);
            }
        });
        assertEquals(2, reads[0], "the failed read is tried again");
        assertEquals(summary(a), summary(got));
    }

    @Test
    void aReadDuringWhichAWriterCommitsAnotherGalleryReadsTheNewOne() {
        Gallery a = sample(1), b = sample(2);
        a.write(dir);
        int[] reads = {0};
        Gallery got = Gallery.read(dir, (folder, sc, sidecar) -> {
            if (++reads[0] == 1) b.write(folder);
            return Gallery.readOnce(folder, sc, sidecar);
        });
        assertEquals(2, reads[0]);
        assertEquals(summary(b), summary(got));
    }

    @Test
    void aGalleryWhoseTensorFileIsMissingFailsAfterThreeReads() throws IOException {
        sample(1).write(dir);
        Path tensors = tensorFiles(dir).get(0);
        Files.delete(tensors);
        int[] reads = {0};
        WeightsException e = assertThrows(WeightsException.class, () -> Gallery.read(dir, (folder, sc, sidecar) -> {
            reads[0]++;
            return Gallery.readOnce(folder, sc, sidecar);
        }));
        assertEquals(3, reads[0]);
        assertEquals(tensors + ": no such file (" + dir.resolve(Gallery.SIDECAR) + " names it)", e.getMessage());
    }

    @Test
    void namesAreNormalisedAndValidated() {
        assertEquals("Zo\u00eb", Gallery.personName("Zoe\u0308"));
        assertEquals("Zo\u00eb", Gallery.personName("  Zo\u00eb "));
        for (String bad : new String[] {"", "   ", "a/b", "a\\b", "tab\there", "new\nline", "x".repeat(Gallery.MAX_NAME + 1)}) {
            assertThrows(IllegalArgumentException.class, () -> Gallery.personName(bad), bad);
        }
        assertEquals("x".repeat(Gallery.MAX_NAME), Gallery.personName("x".repeat(Gallery.MAX_NAME)));
        Gallery g = sample(1);
        assertEquals(g.people().get(0), g.person("Zoe\u0308"));
        Random r = new Random(3);
        assertThrows(IllegalArgumentException.class, () -> new Gallery(List.of(new Gallery.Person("Zo\u00eb", List.of(photo(r))),
                new Gallery.Person(Gallery.personName("Zoe\u0308"), List.of(photo(r)))), 0.6, "rule"));
    }

    @Test
    void truncatedOrEditedFilesAreRefusedInOneLine() throws IOException {
        sample(1).write(dir);
        Path tensors = tensorFiles(dir).get(0), sidecar = dir.resolve(Gallery.SIDECAR);
        byte[] t = Files.readAllBytes(tensors);
        String s = Files.readString(sidecar, StandardCharsets.UTF_8);

        Files.write(tensors, java.util.Arrays.copyOf(t, t.length - 100));
        assertTrue(refusal().contains("(truncated)"), refusal());
        byte[] flipped = t.clone();
        flipped[flipped.length - 1] ^= 1;
        Files.write(tensors, flipped);
        assertTrue(refusal().contains("SHA-256 differs"), refusal());
        Files.write(tensors, t);

        Files.writeString(sidecar, s.replace("\"threshold\": 0.6", "\"threshold\": 0.9"), StandardCharsets.UTF_8);
        assertTrue(refusal().contains("its fields differ from the copy in"), refusal());
        Files.writeString(sidecar, s.replace("Zo\u00eb", "Zoe"), StandardCharsets.UTF_8);
        assertTrue(refusal().contains("its fields differ"), refusal());
        Files.writeString(sidecar, s.substring(0, s.length() / 2), StandardCharsets.UTF_8);
        assertTrue(refusal().contains("not valid JSON"), refusal());
        Files.writeString(sidecar, s.replace(tensors.getFileName().toString(), "../x.safetensors"), StandardCharsets.UTF_8);
        assertTrue(refusal().contains("is not a gallery tensor file name"), refusal());
        Files.writeString(sidecar, s, StandardCharsets.UTF_8);
        Files.delete(tensors);
        assertTrue(refusal().contains("no such file"), refusal());
    }

    private String refusal() {
        String m = assertThrows(WeightsException.class, () -> Gallery.read(dir)).getMessage();
        assertFalse(m.contains("\n"), m);
        return m;
    }
}
