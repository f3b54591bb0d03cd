package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void wilsonIntervalOf147OutOf150() {
        int[] truth = new int[150], predicted = new int[150];
        for (int i = 0; i < 3; i++) predicted[i] = 1;
        Metrics m = Metrics.of(List.of("a", "b"), truth, predicted);
        assertEquals(0.98, m.accuracy(), 1e-12);
        // Wilson: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964
        assertEquals(0.94292, m.ciLow(), 1e-4);
        assertEquals(0.99326, m.ciHigh(), 1e-4);
        assertEquals("98.0 % [94.3 %, 99.3 %] (147/150)", m.accuracyLine());
    }

    @Test
    void perfectScoreStillHasAnIntervalBelowOne() {
        Metrics m = Metrics.of(List.of("a"), new int[20], new int[20]);
        assertEquals(1.0, m.ciHigh(), 1e-12);
        assertEquals(0.8389, m.ciLow(), 1e-3);
    }

    @Test
    void confusionPrecisionRecallF1() {
        // truth:     a a a b b c
        // predicted: a a b b c c
        Metrics m = Metrics.of(List.of("a", "b", "c"), new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 1, 2, 2});
        assertArrayEquals(new int[] {2, 1, 0}, m.confusion()[0]);
        assertArrayEquals(new int[] {0, 1, 1}, m.confusion()[1]);
        assertArrayEquals(new int[] {0, 0, 1}, m.confusion()[2]);
        List<Metrics.ClassScores> s = m.perClass();
        assertEquals(1.0, s.get(0).precision(), 1e-12);
        assertEquals(2.0 / 3, s.get(0).recall(), 1e-12);
        assertEquals(0.8, s.get(0).f1(), 1e-12);
        assertEquals(0.5, s.get(1).precision(), 1e-12);
        assertEquals(0.5, s.get(1).recall(), 1e-12);
        assertEquals(0.5, s.get(2).precision(), 1e-12);
        assertEquals(1.0, s.get(2).recall(), 1e-12);
        assertEquals(3, s.get(0).support());
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, m.macroF1(), 1e-12);
    }

    @Test
    void aClassNeverPredictedHasZeroPrecisionNotNaN() {
        Metrics m = Metrics.of(List.of("a", "b"), new int[] {0, 1}, new int[] {0, 0});
        assertEquals(0.0, m.perClass().get(1).precision());
        assertEquals(0.0, m.perClass().get(1).f1());
    }
}
