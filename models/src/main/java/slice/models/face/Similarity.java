package slice.models.face;

import java.util.List;

/**
 * A 2-D similarity transform, rotation by {@code θ}, uniform scale {@code s} and translation {@code t} (4 degrees of
 * freedom), written with {@code a = s·cos θ}, {@code b = s·sin θ}:
 * <pre>
 *   x' = a·x − b·y + t_x
 *   y' = b·x + a·y + t_y
 * </pre>
 * No reflection: a mirrored face is not a similar one.
 */
public record Similarity(double a, double b, double tx, double ty) {
    public Similarity {
        if (!Double.isFinite(a) || !Double.isFinite(b) || !Double.isFinite(tx) || !Double.isFinite(ty))
            throw new IllegalArgumentException("similarity has a non-finite parameter: " + a + ", " + b + ", " + tx + ", " + ty);
    }

    /** Rotation by {@code angle} radians (counter-clockwise for y up, clockwise on screen), then scale, then shift. */
    public static Similarity of(double scale, double angle, double tx, double ty) {
        return new Similarity(scale * Math.cos(angle), scale * Math.sin(angle), tx, ty);
    }

    public double scale() { return Math.hypot(a, b); }

    /** θ in radians, in (−π, π]. */
    public double angle() { return Math.atan2(b, a); }

    public Point apply(Point p) {
        return new Point(a * p.x() - b * p.y() + tx, b * p.x() + a * p.y() + ty);
    }

    /** {@code this} after {@code first}: {@code p ↦ this(first(p))}. */
    public Similarity after(Similarity first) {
        return new Similarity(a * first.a - b * first.b, b * first.a + a * first.b,
                a * first.tx - b * first.ty + tx, b * first.tx + a * first.ty + ty);
    }

    /** The inverse: rotation by −θ, scale 1/s, i.e. {@code (a, −b) / s²}, and the shift {@code −R⁻¹ t}. */
    public Similarity inverse() {
        double s2 = a * a + b * b;
        double ia = a / s2, ib = -b / s2;
        return new Similarity(ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty));
    }

    /**
     * The similarity {@code T} minimising {@code Σ |T(p_i) − q_i|²} over point pairs {@code p_i → q_i} (closed-form
     * Procrustes; the 2-D case of Umeyama 1991 restricted to rotations). With centroids {@code p̄, q̄} and centred
     * points {@code u_i = p_i − p̄}, {@code v_i = q_i − q̄}:
     * <pre>
     *   a = Σ (u_x·v_x + u_y·v_y) / Σ |u|²
     *   b = Σ (u_x·v_y − u_y·v_x) / Σ |u|²
     *   t = q̄ − R·p̄,   R = [a −b; b a]
     * </pre>
     * Why: the cost is quadratic in {@code (a, b, t)}; its zero gradient in {@code t} gives {@code t = q̄ − R·p̄},
     * leaving {@code Σ |R·u_i − v_i|²}. In complex numbers {@code R·u = (a + ib)·u}, and {@code Σ |z·u_i − v_i|²} is
     * least at {@code z = Σ conj(u_i)·v_i / Σ |u_i|²}, whose real and imaginary parts are {@code a} and {@code b}.
     *
     * @throws IllegalArgumentException if fewer than two pairs are given or the {@code p_i} all coincide (no scale or
     *     rotation is determined)
     */
    public static Similarity fit(List<Point> from, List<Point> to) {
        int n = from.size();
        if (n != to.size()) throw new IllegalArgumentException("cannot fit a similarity to " + n + " points and " + to.size() + " targets");
        if (n < 2) throw new IllegalArgumentException("a similarity needs at least 2 point pairs, got " + n);
        double px = 0, py = 0, qx = 0, qy = 0;
        for (int i = 0; i < n; i++) {
            px += from.get(i).x(); py += from.get(i).y();
            qx += to.get(i).x(); qy += to.get(i).y();
        }
        px /= n; py /= n; qx /= n; qy /= n;
        double spread = 0, dot = 0, cross = 0;
        for (int i = 0; i < n; i++) {
            double ux = from.get(i).x() - px, uy = from.get(i).y() - py;
            double vx = to.get(i).x() - qx, vy = to.get(i).y() - qy;
            spread += ux * ux + uy * uy;
            dot += ux * vx + uy * vy;
            cross += ux * vy - uy * vx;
        }
        if (!(spread > 1e-12 * n)) throw new IllegalArgumentException("the " + n + " landmarks all lie at one point ("
                + px + ", " + py + "): no rotation or scale can be fitted");
        double a = dot / spread, b = cross / spread;
        return new Similarity(a, b, qx - (a * px - b * py), qy - (b * px + a * py));
    }
}
