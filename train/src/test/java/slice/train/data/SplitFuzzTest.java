package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import slice.train.data.Split.Part;

/**
 * {@link Split} — what {@code split.tsv} records — on any names (tabs, line breaks, half surrogate pairs, any
 * Unicode), any class sizes and any valid fractions: it never throws, gives every sample one part, is the same on a
 * second run, and meets its per-class minimums (a test and a train image; a validation image when asked for and the
 * class has three).
 */
class SplitFuzzTest {
    record Case(List<Sample> samples, int classes, Split.Config config) { }

    @Provide Arbitrary<Case> cases() {
        Arbitrary<String> names = Arbitraries.strings().all().ofMaxLength(40);
        return Arbitraries.integers().between(2, 6).flatMap(classes -> {
            Arbitrary<List<Sample>> samples = Combinators.combine(names, Arbitraries.integers().between(0, classes - 1))
                    .as((name, label) -> new Sample(Path.of("x"), name, label, "0"))
                    .list().ofMinSize(classes * 2).ofMaxSize(60);
            Arbitrary<Split.Config> config = Combinators.combine(Arbitraries.doubles().between(0, 0.45),
                    Arbitraries.doubles().between(0, 0.45), Arbitraries.longs()).as(Split.Config::new);
            return Combinators.combine(samples, config).as((s, c) -> new Case(s, classes, c));
        });
    }

    @Property(seed = "1416", tries = 500)
    void everySampleGetsOnePartAndEveryClassItsMinimums(@ForAll("cases") Case c) {
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
