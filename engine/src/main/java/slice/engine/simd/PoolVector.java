package slice.engine.simd;

import static slice.engine.kernels.WindowGeometry.endTap;
import static slice.engine.kernels.WindowGeometry.firstTap;
import static slice.engine.simd.VectorInfo.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import slice.engine.kernels.OutRange;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.PoolScalar;
import slice.engine.kernels.TapRun;
import slice.engine.kernels.WindowGeometry;

/**
 * Vector pooling, channels as lanes. Forward: per output pixel and channel vector, the window's taps in (ky, kx)
 * order — max pooling sweeps rows tap by tap like average pooling below, a lanewise {@code max} into the output row
 * from −∞ (Math.max semantics, like the scalar twin; no branch, no mask). Average pooling and its gradient sweep rows tap by tap with long
 * contiguous loops — the output row from zero ({@code y += x}, then {@code y ·= inv}), the input row from its gradient
 * ({@code dx += dy·inv}) — so every pixel accumulates its taps in the scalar twin's (ky, kx) order. The max-pool
 * gradient walks each output's window once per channel vector: a lane adds its gradient to the first cell that equals
 * the output (a blend: other lanes keep their bits) and is then marked routed; lanes not routed at the end
 * (NaN) add to the first cell. Compares and blends only: no masked load or store, no branch per lane. The window is
 * one flat loop over a list of its cells and the routed flags are a float vector: on Java 17 a vector carried through
 * a nest of two loops with run-time bounds is boxed at every step (measured 4× slower). Scalar channel tails as in {@link slice.engine.kernels.PoolScalar}; bit-identical.
 */
public final class PoolVector implements PoolKernel {
    private static final int L = F.length();

    @Override public void maxForward(WindowGeometry g, float[] x, float[] y, int row0, int row1) {
        int c = g.channels, s = g.stride, vecEnd = F.loopBound(c);
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH, iy0 = (r % g.outH) * s - g.padTop;
            int outRow = r * g.outW * c;
            Arrays.fill(y, outRow, outRow + g.outW * c, Float.NEGATIVE_INFINITY);
            for (int ky = firstTap(iy0); ky < endTap(iy0, g.h, g.kh); ky++) {
                int inRow = ((n * g.h + iy0 + ky) * g.w - g.padLeft) * c; // + (ox·s + kx)·c: the input pixel of output ox
                for (int kx = 0; kx < g.kw; kx++) {
                    OutRange cols = g.colRanges[kx];
                    int in0 = inRow + kx * c;
                    int ch = 0;
                    for (; ch < vecEnd; ch += L) {
                        for (int ox = cols.from(); ox < cols.to(); ox++) {
                            int o = outRow + ox * c + ch;
                            FloatVector.fromArray(F, y, o).max(FloatVector.fromArray(F, x, in0 + ox * s * c + ch)).intoArray(y, o);
                        }
                    }
                    for (; ch < c; ch++) {
                        for (int ox = cols.from(); ox < cols.to(); ox++) {
                            y[outRow + ox * c + ch] = Math.max(y[outRow + ox * c + ch], x[in0 + ox * s * c + ch]);
                        }
                    }
                }
            }
        }
    }

    @Override public void avgForward(WindowGeometry g, float[] x, float[] inv, float[] y, int row0, int row1) {
        int c = g.channels, s = g.stride, vecEnd = F.loopBound(c);
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH, oy = r % g.outH, iy0 = oy * s - g.padTop;
            int outRow = r * g.outW * c;
            Arrays.fill(y, outRow, outRow + g.outW * c, 0f);
            for (int ky = firstTap(iy0); ky < endTap(iy0, g.h, g.kh); ky++) {
                int inRow = ((n * g.h + iy0 + ky) * g.w - g.padLeft) * c; // + (ox·s + kx)·c: the input pixel of output ox
                for (int kx = 0; kx < g.kw; kx++) {
                    OutRange cols = g.colRanges[kx];
                    int in0 = inRow + kx * c;
                    int ch = 0;
                    for (; ch < vecEnd; ch += L) {
                        for (int ox = cols.from(); ox < cols.to(); ox++) {
                            int o = outRow + ox * c + ch;
                            FloatVector.fromArray(F, y, o).add(FloatVector.fromArray(F, x, in0 + ox * s * c + ch)).intoArray(y, o);
                        }
                    }
                    for (; ch < c; ch++) {
                        for (int ox = cols.from(); ox < cols.to(); ox++) y[outRow + ox * c + ch] += x[in0 + ox * s * c + ch];
                    }
                }
            }
            for (int ox = 0; ox < g.outW; ox++) {
                FloatVector scale = FloatVector.broadcast(F, inv[oy * g.outW + ox]);
                int o = outRow + ox * c, ch = 0;
                for (; ch < vecEnd; ch += L) FloatVector.fromArray(F, y, o + ch).mul(scale).intoArray(y, o + ch);
                for (; ch < c; ch++) y[o + ch] *= inv[oy * g.outW + ox];
            }
        }
    }

    @Override public void avgBackward(WindowGeometry g, float[] dy, float[] inv, float[] dx, int row0, int row1) {
        int c = g.channels, s = g.stride, vecEnd = F.loopBound(c);
        for (int r = row0; r < row1; r++) {
            int n = r / g.h;
            TapRun rows = g.rowTaps[r % g.h];
            for (int j = 0; j < rows.count(); j++) {
                int oy = rows.firstOut() - j, dyRow = (n * g.outH + oy) * g.outW * c, invRow = oy * g.outW;
                for (int kx = 0; kx < g.kw; kx++) {
                    OutRange cols = g.colRanges[kx];
                    int dxRow = (r * g.w + kx - g.padLeft) * c; // + ox·s·c: the input column of output ox
                    int ch = 0;
                    for (; ch < vecEnd; ch += L) {
                        for (int ox = cols.from(); ox < cols.to(); ox++) {
                            int i = dxRow + ox * s * c + ch;
                            FloatVector.fromArray(F, dy, dyRow + ox * c + ch).fma(FloatVector.broadcast(F, inv[invRow + ox]), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
                        }
                    }
                    for (; ch < c; ch++) {
                        for (int ox = cols.from(); ox < cols.to(); ox++) {
                            int i = dxRow + ox * s * c + ch;
                            dx[i] = Math.fma(dy[dyRow + ox * c + ch], inv[invRow + ox], dx[i]);
                        }
                    }
                }
            }
        }
    }

    @Override public void maxBackward(WindowGeometry g, float[] x, float[] y, float[] dy, float[] dx, int n, int ch0, int ch1) {
        int c = g.channels, vecEnd = ch0 + F.loopBound(ch1 - ch0);
        int[] cells = new int[g.kh * g.kw]; // the window's real cells, flat x indices of channel 0, in (ky, kx) order
        for (int oy = 0; oy < g.outH; oy++) {
            int iy0 = oy * g.stride - g.padTop;
            int kyLo = firstTap(iy0), kyHi = endTap(iy0, g.h, g.kh);
            for (int ox = 0; ox < g.outW; ox++) {
                int ix0 = ox * g.stride - g.padLeft;
                int kxLo = firstTap(ix0), kxHi = endTap(ix0, g.w, g.kw);
                int o = ((n * g.outH + oy) * g.outW + ox) * c, in0 = ((n * g.h + iy0) * g.w + ix0) * c;
                int taps = 0;
                for (int ky = kyLo; ky < kyHi; ky++) {
                    for (int kx = kxLo; kx < kxHi; kx++) cells[taps++] = in0 + (ky * g.w + kx) * c;
                }
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
                for (; ch < ch1; ch++) dx[PoolScalar.winner(x, y[o + ch], in0 + ch, c, g.w, kyLo, kyHi, kxLo, kxHi)] += dy[o + ch];
            }
        }
    }
}
