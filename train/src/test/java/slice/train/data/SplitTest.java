package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import slice.train.data.Split.Part;

class SplitTest {
    private static final Split.Config CONFIG = new Split.Config(0.15, 0.15, 42);

    /** {@code perClass[c]} samples named {@code "class<c>/img<k>.jpg"}; no files are needed to split. */
    private static List<Sample> samples(int... perClass) {
        List<Sample> out = new ArrayList<>();
        for (int c = 0; c < perClass.length; c++)
            for (int k = 0; k < perClass[c]; k++) out.add(sample(c, k));
        return out;
    }

    private static Sample sample(int c, int k) {
        String name = "class" + c + "/img" + k + ".jpg";
        return new Sample(Path.of(name), name, c, Hashes.sha256Hex(name));
    }

    private static Map<String, Part> parts(List<Sample> samples, int classes, Split.Config config) {
        Split split = Split.of(samples, classes, config);
        Map<String, Part> out = new HashMap<>();
        for (int i = 0; i < samples.size(); i++) out.put(samples.get(i).name(), split.part(i));
        return out;
    }

    @Test
    void addingPhotosKeepsEveryOtherFileInItsPart() {
        List<Sample> before = samples(30, 25, 40);
        List<Sample> after = new ArrayList<>(before);
        for (int c = 0; c < 3; c++) for (int k = 100; k < 110; k++) after.add(sample(c, k));
        after.sort((a, b) -> a.name().compareTo(b.name()));                 // new files interleave with old ones
        Map<String, Part> p0 = parts(before, 3, CONFIG), p1 = parts(after, 3, CONFIG);
        for (Sample s : before) assertEquals(p0.get(s.name()), p1.get(s.name()), s.name());
    }

    @Test
    void fractionsHoldAndSeedMatters() {
        List<Sample> all = samples(400, 400, 400, 400, 400);
        int[] counts = Split.of(all, 5, CONFIG).counts();
        assertEquals(2000, counts[0] + counts[1] + counts[2]);
        assertEquals(0.70, counts[Part.TRAIN.ordinal()] / 2000.0, 0.03);
        assertEquals(0.15, counts[Part.VAL.ordinal()] / 2000.0, 0.03);
        assertEquals(0.15, counts[Part.TEST.ordinal()] / 2000.0, 0.03);
        Map<String, Part> a = parts(all, 5, CONFIG), b = parts(all, 5, new Split.Config(0.15, 0.15, 43));
        assertNotEquals(a, b);
        assertEquals(a, parts(all, 5, CONFIG));
    }

    @Test
    void everyClassKeepsATestAndATrainImageAndValidationWhenPossible() {
        int[] sizes = {2, 2, 2, 3, 3, 3, 4, 5, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
        for (long seed = 0; seed < 20; seed++) {
            List<Sample> all = samples(sizes);
            Split split = Split.of(all, sizes.length, new Split.Config(0.15, 0.15, seed));
            int[][] perClass = new int[sizes.length][3];
            for (int i = 0; i < all.size(); i++) perClass[all.get(i).label()][split.part(i).ordinal()]++;
            for (int c = 0; c < sizes.length; c++) {
                String what = "seed " + seed + " class " + c + " of " + sizes[c];
                assertTrue(perClass[c][Part.TEST.ordinal()] >= 1, what);
                assertTrue(perClass[c][Part.TRAIN.ordinal()] >= 1, what);
                if (sizes[c] >= 3) assertTrue(perClass[c][Part.VAL.ordinal()] >= 1, what);
            }
        }
        Split noVal = Split.of(samples(5, 5), 2, new Split.Config(0, 0.2, 1));
        assertEquals(0, noVal.counts()[Part.VAL.ordinal()]);
    }

    @Test
    void samplesOfAPartKeepDatasetOrder() {
        List<Sample> all = samples(10, 10);
        Split split = Split.of(all, 2, CONFIG);
        int total = 0;
        for (Part part : Part.values()) {
            List<Sample> of = split.samples(part);
            total += of.size();
            for (int k = 1; k < of.size(); k++) assertTrue(all.indexOf(of.get(k - 1)) < all.indexOf(of.get(k)));
        }
        assertEquals(20, total);
    }
}
