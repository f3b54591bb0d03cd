package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.PoolScalar;
import slice.engine.kernels.TapRun;
import slice.engine.kernels.WindowGeometry;

/**
 * Vector pooling, channels as lanes. Every loop lists the window first — the flat indices of its real cells in the
 * scalar twin's (ky, kx) order, or for the average-pool gradient the output pixels whose windows hold the input pixel
 * — then, per channel vector, folds the list in a register: a running {@code max} from −∞ (Math.max semantics, like
 * the scalar twin; where winners are kept, a compare and a blend per cell move each lane's winner), a sum from zero
 * times {@code inv}, an fma chain from {@code dx}. The forward folds four channel vectors side by side (an average,
 * and a max without winners), so four independent chains hide the latency of each add or max; each lane still folds
 * its cells in the same order. The max-pool gradient is the scalar twin's scatter through the saved winners.
 *
 * <p>Why a list and not two nested loops over (ky, kx): on Java 17 a vector carried through a nest of two loops with
 * run-time bounds is boxed at every step, several times slower. Scalar channel tails as in
 * {@link slice.engine.kernels.PoolScalar}; bit-identical.
 */
public final class PoolVector implements PoolKernel {
    private static final int L = F.length();

    @Override public void maxForward(WindowGeometry g, float[] x, float[] y, float[] winners, int row0, int row1) {
        int c = g.channels, vecEnd = F.loopBound(c), blockEnd = vecEnd - vecEnd % (4 * L);
        int[] cells = new int[g.kh * g.kw];
        for (int r = row0; r < row1; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                int taps = g.windowCells(r, ox, cells), o = (r * g.outW + ox) * c;
                int ch = 0;
                if (winners == null) {
                    for (; ch < blockEnd; ch += 4 * L) { // four channel vectors: four independent chains
                        FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), m1 = m0, m2 = m0, m3 = m0;
                        for (int t = 0; t < taps; t++) {
                            int at = cells[t] + ch;
                            m0 = m0.max(FloatVector.fromArray(F, x, at));
                            m1 = m1.max(FloatVector.fromArray(F, x, at + L));
                            m2 = m2.max(FloatVector.fromArray(F, x, at + 2 * L));
                            m3 = m3.max(FloatVector.fromArray(F, x, at + 3 * L));
                        }
                        m0.intoArray(y, o + ch);
                        m1.intoArray(y, o + ch + L);
                        m2.intoArray(y, o + ch + 2 * L);
                        m3.intoArray(y, o + ch + 3 * L);
                    }
                }
                for (; ch < vecEnd; ch += L) {
                    FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                    if (winners == null) {
                        for (int t = 0; t < taps; t++) max = max.max(FloatVector.fromArray(F, x, cells[t] + ch));
                    } else { // a lane's winner moves to cell t when x is greater than the max so far
                        FloatVector winner = FloatVector.zero(F);
                        for (int t = 0; t < taps; t++) {
                            FloatVector v = FloatVector.fromArray(F, x, cells[t] + ch);
                            winner = winner.blend(t, v.compare(VectorOperators.GT, max));
                            max = max.max(v);
                        }
                        winner.blend(0f, max.test(VectorOperators.IS_NAN)).intoArray(winners, o + ch);
                    }
                    max.intoArray(y, o + ch);
                }
                for (; ch < c; ch++) {
                    float max = Float.NEGATIVE_INFINITY;
                    int winner = 0;
                    for (int t = 0; t < taps; t++) {
                        float v = x[cells[t] + ch];
                        if (v > max) winner = t;
                        max = Math.max(max, v);
                    }
                    y[o + ch] = max;
                    if (winners != null) winners[o + ch] = Float.isNaN(max) ? 0 : winner;
                }
            }
        }
    }

    @Override public void avgForward(WindowGeometry g, float[] x, float[] inv, float[] y, int row0, int row1) {
        int c = g.channels, vecEnd = F.loopBound(c), blockEnd = vecEnd - vecEnd % (4 * L);
        int[] cells = new int[g.kh * g.kw];
        for (int r = row0; r < row1; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                int taps = g.windowCells(r, ox, cells), o = (r * g.outW + ox) * c;
                float scale = inv[(r % g.outH) * g.outW + ox];
                int ch = 0;
                for (; ch < blockEnd; ch += 4 * L) { // four channel vectors: four independent chains
                    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                    for (int t = 0; t < taps; t++) {
                        int at = cells[t] + ch;
                        s0 = s0.add(FloatVector.fromArray(F, x, at));
                        s1 = s1.add(FloatVector.fromArray(F, x, at + L));
                        s2 = s2.add(FloatVector.fromArray(F, x, at + 2 * L));
                        s3 = s3.add(FloatVector.fromArray(F, x, at + 3 * L));
                    }
                    s0.mul(scale).intoArray(y, o + ch);
                    s1.mul(scale).intoArray(y, o + ch + L);
                    s2.mul(scale).intoArray(y, o + ch + 2 * L);
                    s3.mul(scale).intoArray(y, o + ch + 3 * L);
                }
                for (; ch < vecEnd; ch += L) {
                    FloatVector sum = FloatVector.zero(F);
                    for (int t = 0; t < taps; t++) sum = sum.add(FloatVector.fromArray(F, x, cells[t] + ch));
                    sum.mul(scale).intoArray(y, o + ch);
                }
                for (; ch < c; ch++) {
                    float sum = 0f;
                    for (int t = 0; t < taps; t++) sum += x[cells[t] + ch];
                    y[o + ch] = sum * scale;
                }
            }
        }
    }

    @Override public void avgBackward(WindowGeometry g, float[] dy, float[] inv, float[] dx, int row0, int row1) {
        int[] outs = new int[g.kh * g.kw];
        for (int r = row0; r < row1; r++) avgBackwardRow(g, dy, inv, dx, r, outs);
    }

    /**
     * {@link #avgBackward} for input row {@code r} (of all images' rows), {@code outs} a buffer for a pixel's output
     * pixels {@code oy·outW + ox} whose windows hold it, in (ky, kx) order. A method of its own, called once a row, so
     * that C2 compiles it from a profile of whole calls: with the loop over rows in the same method (a few calls a
     * training step, each compiled on stack), the profile never saw that loop end, C2's code was deoptimised at its
     * first end ({@code unstable_if}), and the kernel ran in C1's code — every vector an object — for the next steps.
     */
    private static void avgBackwardRow(WindowGeometry g, float[] dy, float[] inv, float[] dx, int r, int[] outs) {
        int c = g.channels, vecEnd = F.loopBound(c);
        int dyImage = r / g.h * g.outH * g.outW * c;
        TapRun rows = g.rowTaps[r % g.h];
        for (int ix = 0; ix < g.w; ix++) {
            TapRun cols = g.colTaps[ix];
            int taps = 0;
            for (int j = 0; j < rows.count(); j++) {
                for (int i = 0; i < cols.count(); i++) outs[taps++] = (rows.firstOut() - j) * g.outW + cols.firstOut() - i;
            }
            int in = (r * g.w + ix) * c, ch = vecEnd;
            // Tap by tap, each fma's sum stored in dx (the pixel's channels stay in L1): a vector carried round
            // the loop over a pixel's taps, whose count varies, was boxed on every pass (allocation in each step).
            for (int t = 0; t < taps; t++) {
                FloatVector w = FloatVector.broadcast(F, inv[outs[t]]);
                int from = dyImage + outs[t] * c;
                for (int cv = 0; cv < vecEnd; cv += L) {
                    FloatVector.fromArray(F, dy, from + cv).fma(w, FloatVector.fromArray(F, dx, in + cv)).intoArray(dx, in + cv);
                }
            }
            for (; ch < c; ch++) {
                float acc = dx[in + ch];
                for (int t = 0; t < taps; t++) acc = Math.fma(dy[dyImage + outs[t] * c + ch], inv[outs[t]], acc);
                dx[in + ch] = acc;
            }
        }
    }

    @Override public void maxBackward(WindowGeometry g, float[] winners, float[] dy, float[] dx, int n, int ch0, int ch1) {
        PoolScalar.scatterToWinners(g, winners, dy, dx, n, ch0, ch1);
    }
}
