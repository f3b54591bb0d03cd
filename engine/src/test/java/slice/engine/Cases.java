package slice.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Runs a fuzz test's cases: {@code count} inputs, each drawn from its own generator split off one fixed seed, so every
 * run checks the same cases, and a failing one is reported as "case i of N (seed S)" with its input (the edits) — which
 * reproduces it.
 */
public final class Cases {
    private Cases() { }

    /** What a case checks: throws (an assertion or any exception) to fail, else returns the name of its outcome. */
    public interface Check<T> {
        String outcome(T input) throws Exception;
    }

    /** Checks {@code count} inputs drawn by {@code draw}; returns how many cases had each outcome. */
    public static <T> Outcomes run(long seed, int count, Function<SplittableRandom, T> draw, Check<T> check) {
        SplittableRandom root = new SplittableRandom(seed);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < count; i++) {
            T input = draw.apply(root.split());
            String outcome;
            try {
                outcome = check.outcome(input);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("case " + i + " of " + count + " (seed " + seed + "): " + input + ": " + e.getMessage(), e);
            }
            outcomes.counts.merge(outcome, 1, Integer::sum);
        }
        return outcomes;
    }

    /** How many cases had each outcome. */
    public static final class Outcomes {
        private final Map<String, Integer> counts = new TreeMap<>();

        /**
         * Requires each of {@code outcomes} among the cases: damage that is always refused, or never, would not test the
         * loader's checks.
         */
        public void assertSeen(String... outcomes) {
            for (String o : outcomes) assertTrue(counts.containsKey(o), () -> "no case '" + o + "' among the outcomes " + counts);
        }
    }
}
