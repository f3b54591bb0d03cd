package slice.engine.simd;

import static slice.engine.simd.VectorInfo.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.PoolScalar;
import slice.engine.kernels.TapRun;
import slice.engine.kernels.WindowGeometry;

/**
 * Vector pooling, channels as lanes. Every loop lists the window first — the flat indices of its real cells in the
 * scalar twin's (ky, kx) order, or for the average-pool gradient the output pixels whose windows hold the input pixel
 * — then, per channel vector, folds the list in a register: a running {@code max} from −∞ (Math.max semantics, like
 * the scalar twin), a sum from zero times {@code inv}, an fma chain from {@code dx}. The max-pool gradient walks the
 * list once per channel vector: a lane adds its gradient to the first cell that equals the output (a blend: other
 * lanes keep their bits) and is then marked routed; lanes not routed at the end (NaN) add to the first cell. Compares
 * and blends only: no masked load or store, no branch per lane.
 *
 * <p>Why a list and not two nested loops over (ky, kx): on Java 17 a vector carried through a nest of two loops with
 * run-time bounds is boxed at every step, several times slower. Scalar channel tails as in
 * {@link slice.engine.kernels.PoolScalar}; bit-identical.
 */
public final class PoolVector implements PoolKernel {
    private static final int L = F.length();

    @Override public void maxForward(WindowGeometry g, float[] x, float[] y, int row0, int row1) {
        int c = g.channels, vecEnd = F.loopBound(c);
        int[] cells = new int[g.kh * g.kw];
        for (int r = row0; r < row1; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                int taps = g.windowCells(r, ox, cells), o = (r * g.outW + ox) * c;
                int ch = 0;
                for (; ch < vecEnd; ch += L) {
                    FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                    for (int t = 0; t < taps; t++) max = max.max(FloatVector.fromArray(F, x, cells[t] + ch));
                    max.intoArray(y, o + ch);
                }
                for (; ch < c; ch++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t = 0; t < taps; t++) max = Math.max(max, x[cells[t] + ch]);
                    y[o + ch] = max;
                }
            }
        }
    }

    @Override public void avgForward(WindowGeometry g, float[] x, float[] inv, float[] y, int row0, int row1) {
        int c = g.channels, vecEnd = F.loopBound(c);
        int[] cells = new int[g.kh * g.kw];
        for (int r = row0; r < row1; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                int taps = g.windowCells(r, ox, cells), o = (r * g.outW + ox) * c;
                float scale = inv[(r % g.outH) * g.outW + ox];
                int ch = 0;
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
        int c = g.channels, vecEnd = F.loopBound(c);
        int[] outs = new int[g.kh * g.kw]; // output pixels oy·outW + ox whose windows hold the input pixel, in (ky, kx) order
        for (int r = row0; r < row1; r++) {
            int dyImage = r / g.h * g.outH * g.outW * c;
            TapRun rows = g.rowTaps[r % g.h];
            for (int ix = 0; ix < g.w; ix++) {
                TapRun cols = g.colTaps[ix];
                int taps = 0;
                for (int j = 0; j < rows.count(); j++) {
                    for (int i = 0; i < cols.count(); i++) outs[taps++] = (rows.firstOut() - j) * g.outW + cols.firstOut() - i;
                }
                int in = (r * g.w + ix) * c, ch = 0;
                for (; ch < vecEnd; ch += L) {
                    FloatVector acc = FloatVector.fromArray(F, dx, in + ch);
                    for (int t = 0; t < taps; t++) {
                        acc = FloatVector.fromArray(F, dy, dyImage + outs[t] * c + ch).fma(FloatVector.broadcast(F, inv[outs[t]]), acc);
                    }
                    acc.intoArray(dx, in + ch);
                }
                for (; ch < c; ch++) {
                    float acc = dx[in + ch];
                    for (int t = 0; t < taps; t++) acc = Math.fma(dy[dyImage + outs[t] * c + ch], inv[outs[t]], acc);
                    dx[in + ch] = acc;
                }
            }
        }
    }

    @Override public void maxBackward(WindowGeometry g, float[] x, float[] y, float[] dy, float[] dx, int n, int ch0, int ch1) {
        int c = g.channels, vecEnd = ch0 + F.loopBound(ch1 - ch0);
        int[] cells = new int[g.kh * g.kw];
        for (int r = n * g.outH; r < (n + 1) * g.outH; r++) {
            for (int ox = 0; ox < g.outW; ox++) {
                int taps = g.windowCells(r, ox, cells), o = (r * g.outW + ox) * c;
                int ch = ch0;
                for (; ch < vecEnd; ch += L) {
                    FloatVector max = FloatVector.fromArray(F, y, o + ch), grad = FloatVector.fromArray(F, dy, o + ch);
                    FloatVector routed = FloatVector.zero(F); // 1 in the lanes whose winner is found
                    for (int t = 0; t < taps; t++) {
                        int i = cells[t] + ch;
                        VectorMask<Float> wins = FloatVector.fromArray(F, x, i).compare(VectorOperators.EQ, max)
                                .and(routed.compare(VectorOperators.EQ, 0f));
                        FloatVector d = FloatVector.fromArray(F, dx, i);
                        d.blend(d.add(grad), wins).intoArray(dx, i);
                        routed = routed.blend(1f, wins);
                    }
                    VectorMask<Float> unrouted = routed.compare(VectorOperators.EQ, 0f);
                    if (unrouted.anyTrue()) {
                        int i = cells[0] + ch;
                        FloatVector d = FloatVector.fromArray(F, dx, i);
                        d.blend(d.add(grad), unrouted).intoArray(dx, i);
                    }
                }
                for (; ch < ch1; ch++) dx[PoolScalar.winner(x, y[o + ch], cells, taps, ch)] += dy[o + ch];
            }
        }
    }
}
