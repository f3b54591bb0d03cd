package slice.models.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityTest {
    private static List<Point> randomPoints(Random random, int n) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < n; i++) points.add(new Point(200 * random.nextDouble(), 200 * random.nextDouble()));
        return points;
    }

    private static List<Point> map(Similarity t, List<Point> points) {
        return points.stream().map(t::apply).toList();
    }

    @Test
    void fitRecoversAnExactSimilarity() {
        Random random = new Random(11);
        double[][] cases = {{1.7, 0.6, 12.5, -40}, {0.3, 3.0, -100, 7.25}, {1.0, -2.2, 0, 0}, {4.5, 0.0, 1e3, -1e3}};
        for (double[] c : cases) {
            List<Point> from = randomPoints(random, 5);
            Similarity fitted = Similarity.fit(from, map(Similarity.of(c[0], c[1], c[2], c[3]), from));
            assertEquals(c[0], fitted.scale(), 1e-9);
            assertEquals(c[1], fitted.angle(), 1e-9);
            assertEquals(c[2], fitted.tx(), 1e-7);
            assertEquals(c[3], fitted.ty(), 1e-7);
        }
    }

    @Test
    void twoPointsDetermineTheSimilarity() {
        // (0, 0) → (10, 20) and (1, 0) → (10, 22): scale 2, rotated a quarter turn, shifted by (10, 20)
        Similarity t = Similarity.fit(List.of(new Point(0, 0), new Point(1, 0)), List.of(new Point(10, 20), new Point(10, 22)));
        assertEquals(2, t.scale(), 1e-12);
        assertEquals(Math.PI / 2, t.angle(), 1e-12);
        assertEquals(10, t.tx(), 1e-12);
        assertEquals(20, t.ty(), 1e-12);
    }

    @Test
    void fitIsTheLeastSquaresOptimumForNoisyPoints() {
        Random random = new Random(5);
        List<Point> from = randomPoints(random, 8);
        List<Point> to = new ArrayList<>();
        for (Point p : map(Similarity.of(0.8, -0.4, 30, 60), from))
            to.add(new Point(p.x() + 3 * random.nextGaussian(), p.y() + 3 * random.nextGaussian()));
        Similarity best = Similarity.fit(from, to);
        double cost = cost(best, from, to);
        double h = 1e-3;
        double[][] steps = {{h, 0, 0, 0}, {-h, 0, 0, 0}, {0, h, 0, 0}, {0, -h, 0, 0},
                            {0, 0, h, 0}, {0, 0, -h, 0}, {0, 0, 0, h}, {0, 0, 0, -h}};
        for (double[] d : steps) {
            Similarity moved = new Similarity(best.a() + d[0], best.b() + d[1], best.tx() + d[2], best.ty() + d[3]);
            assertTrue(cost(moved, from, to) > cost, "a step away from the fit must cost more");
        }
        assertTrue(cost > 1, "the noise must leave a residual, got " + cost);
    }

    @Test
    void inverseAndComposition() {
        Similarity t = Similarity.of(2.5, 0.9, -7, 3);
        Similarity identity = t.after(t.inverse());
        assertEquals(1, identity.a(), 1e-12);
        assertEquals(0, identity.b(), 1e-12);
        assertEquals(0, identity.tx(), 1e-12);
        assertEquals(0, identity.ty(), 1e-12);
        Point p = new Point(4, -9);
        Point twice = t.after(t).apply(p), stepwise = t.apply(t.apply(p));
        assertEquals(stepwise.x(), twice.x(), 1e-9);
        assertEquals(stepwise.y(), twice.y(), 1e-9);
    }

    @Test
    void coincidentPointsAreAClearError() {
        List<Point> same = List.of(new Point(3, 4), new Point(3, 4), new Point(3, 4), new Point(3, 4), new Point(3, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Similarity.fit(same, FaceAligner.ARCFACE_112));
        assertEquals("the 5 landmarks all lie at one point (3.0, 4.0): no rotation or scale can be fitted", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Similarity.fit(List.of(new Point(0, 0)), List.of(new Point(1, 1))));
        assertThrows(IllegalArgumentException.class, () -> Similarity.fit(same, List.of(new Point(1, 1))));
    }

    private static double cost(Similarity t, List<Point> from, List<Point> to) {
        double sum = 0;
        for (int i = 0; i < from.size(); i++) {
            Point p = t.apply(from.get(i));
            sum += Math.pow(p.x() - to.get(i).x(), 2) + Math.pow(p.y() - to.get(i).y(), 2);
        }
        return sum;
    }
}
