package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.train.data.Split.Part;

/**
 * {@link Split} — what {@code split.tsv} records — on any names (tabs, line breaks, half surrogate pairs, any
 * Unicode), any class sizes and any valid fractions: it never throws, gives every sample one part, is the same on a
 * second run, and meets its per-class minimums (a test and a train image; a validation image when asked for and the
 * class has three).
 */
class SplitFuzzTest {
    record Case(List<Sample> samples, int classes, Split.Config config) { }

    /** Characters a name is made of: separators and controls, ASCII, halves of surrogate pairs, any UTF-16 unit. */
    private static String name(SplittableRandom r) {
        StringBuilder name = new StringBuilder();
        for (int n = r.nextInt(41); name.length() < n; ) {
            name.append(switch (r.nextInt(4)) {
                case 0 -> "\t\n\r\0 ,'\"\\".charAt(r.nextInt(9));
                case 1 -> (char) r.nextInt(32, 127);
                case 2 -> (char) r.nextInt(0xD800, 0xE000);
                default -> (char) r.nextInt(0x10000);
            });
        }
        return name.toString();
    }

    /** 2 to 6 classes, 2 per class to 60 samples with any names and labels, fractions in [0, 0.45), any split seed. */
    private static Case draw(SplittableRandom r) {
        int classes = r.nextInt(2, 7);
        List<Sample> samples = new ArrayList<>();
        for (int n = r.nextInt(classes * 2, 61); samples.size() < n; ) {
            samples.add(new Sample(Path.of("x"), name(r), r.nextInt(classes), "0"));
        }
        return new Case(List.copyOf(samples), classes, new Split.Config(r.nextDouble(0.45), r.nextDouble(0.45), r.nextLong()));
    }

    @Test
    void everySampleGetsOnePartAndEveryClassItsMinimums() {
        Cases.run(1416, 500, SplitFuzzTest::draw, c -> {
            check(c);
            return "split";
        });
    }

    private static void check(Case c) {
        Split split = Split.of(c.samples(), c.classes(), c.config());
        Split again = Split.of(new ArrayList<>(c.samples()), c.classes(), c.config());
        int n = c.samples().size();
        Part[] parts = new Part[n];
        for (int i = 0; i < n; i++) {
            parts[i] = split.part(i);
            assertEquals(parts[i], again.part(i), "not the same split twice");
        }
        assertArrayEquals(split.counts(), again.counts());
        assertEquals(n, split.counts()[0] + split.counts()[1] + split.counts()[2]);
        for (int label = 0; label < c.classes(); label++) {
            int[] count = new int[3];
            int size = 0;
            for (int i = 0; i < n; i++) {
                if (c.samples().get(i).label() != label) continue;
                size++;
                count[parts[i].ordinal()]++;
            }
            if (size < 2) continue;
            assertTrue(count[Part.TEST.ordinal()] >= 1 && count[Part.TRAIN.ordinal()] >= 1, "class " + label + " of " + size);
            boolean wantsVal = c.config().valFraction() > 0 && size >= 3;
            if (wantsVal) assertTrue(count[Part.VAL.ordinal()] >= 1, "class " + label + " has no validation");
        }
    }
}
