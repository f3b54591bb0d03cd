package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import slice.weights.Gallery;

/** The unknown threshold's rule on descriptors whose distances are known by construction, and the gallery's changes. */
class EnrolmentTest {
    private static int photos;

    /** A photo whose descriptor is {@code x} along the first axis, {@code y} along the second. */
    private static Gallery.Photo at(double x, double y) {
        float[] d = new float[Gallery.DESCRIPTOR_SIZE];
        d[0] = (float) x;
        d[1] = (float) y;
        return new Gallery.Photo(String.format("%064x", ++photos), d);
    }

    @Test
    void thresholdIsThePercentileOfLeaveOneOutDistancesCappedAtTheDefault() {
        // A at 0, 0.3, 0.5: each to its nearest other photo 0.3, 0.2, 0.2; B at 10, 10.1: 0.1, 0.1.
        // Sorted 0.1 0.1 0.2 0.2 0.3: the ceil(0.95 * 5) = 5th is 0.3.
        Gallery g = Enrolment.add(Enrolment.add(Enrolment.empty(), "A", List.of(at(0, 0), at(0.3, 0), at(0.5, 0))),
                "B", List.of(at(10, 0), at(10.1, 0)));
        assertEquals(0.3, g.threshold(), 1e-6);
        assertTrue(g.thresholdRule().startsWith("95 % of the 5 leave-one-out"), g.thresholdRule());
        // C's pair adds 0.4 twice: 7 distances, the ceil(0.95 * 7) = 7th is 0.4.
        Gallery withC = Enrolment.add(g, "C", List.of(at(0, 5), at(0, 5.4)));
        assertEquals(0.4, withC.threshold(), 1e-6);
        Gallery single = Enrolment.add(g, "D", List.of(at(-7, 0)));
        assertEquals(Enrolment.DEFAULT_THRESHOLD, single.threshold());
        Gallery far = Enrolment.add(g, "E", List.of(at(0, -9), at(0, -9.9)));
        assertEquals(Enrolment.DEFAULT_THRESHOLD, far.threshold(), "0.9 is capped at the default");
        assertEquals(Enrolment.DEFAULT_THRESHOLD, Enrolment.empty().threshold());
    }

    @Test
    void addMergesNamesThatDifferOnlyByNormalisationAndForgetRecalibrates() {
        Gallery g = Enrolment.add(Enrolment.empty(), "Zo\u00eb", List.of(at(0, 0), at(0.2, 0)));
        g = Enrolment.add(g, "Zoe\u0308", List.of(at(0.3, 0)));
        g = Enrolment.add(g, "Ann", List.of(at(3, 0)));
        assertEquals(2, g.people().size());
        assertEquals(3, g.person("Zo\u00eb").photos().size());
        assertEquals(Enrolment.DEFAULT_THRESHOLD, g.threshold(), "Ann has one photo");
        Gallery left = Enrolment.forget(g, "Ann");
        assertEquals(0.2, left.threshold(), 1e-6, "Zoë's distances 0.2, 0.1, 0.1");
        assertThrows(IllegalArgumentException.class, () -> Enrolment.forget(left, "Ann"));
    }
}
