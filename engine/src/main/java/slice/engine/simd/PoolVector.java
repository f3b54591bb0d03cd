package slice.engine.simd;

import static slice.engine.kernels.WindowGeometry.endTap;
import static slice.engine.kernels.WindowGeometry.firstTap;
import static slice.engine.simd.VectorInfo.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.OutRange;
import slice.engine.kernels.PoolKernel;
import slice.engine.kernels.TapRun;
import slice.engine.kernels.WindowGeometry;

/**
 * Vector pooling, channels as lanes. Forward: per output pixel and channel vector, the window's taps in (ky, kx)
 * order — max pooling sweeps rows tap by tap like average pooling below, a lanewise {@code max} into the output row
 * from −∞ (Math.max semantics, like the scalar twin; no branch, no mask). Average pooling and its gradient sweep rows tap by tap with long
 * contiguous loops — the output row from zero ({@code y += x}, then {@code y ·= inv}), the input row from its gradient
 * ({@code dx += dy·inv}) — so every pixel accumulates its taps in the scalar twin's (ky, kx) order. Scalar channel tails as in {@link slice.engine.kernels.PoolScalar}; bit-identical.
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
}
