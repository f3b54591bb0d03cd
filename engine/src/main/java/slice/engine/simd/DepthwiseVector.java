package slice.engine.simd;

import static slice.engine.kernels.WindowGeometry.endTap;
import static slice.engine.kernels.WindowGeometry.firstTap;
import static slice.engine.simd.VectorInfo.F;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import slice.engine.kernels.ColumnMap;
import slice.engine.kernels.DepthwiseKernel;
import slice.engine.kernels.DepthwiseScalar;
import slice.engine.kernels.OutRange;
import slice.engine.kernels.TapRun;
import slice.engine.kernels.WindowGeometry;

/**
 * Vector depthwise convolution, NHWC, channels as lanes (the ncnn/XNNPACK layout): a pixel's {@code C} channels are
 * {@code C/L} vectors, the kernel {@code [kh·kw][C]} gives one weight vector per tap and channel block, and every
 * output vector is a chain of fmas over taps — no masks, no cross-lane reductions; channels past the last full
 * vector take a scalar tail with the same operation order, so each lane computes exactly what
 * {@link slice.engine.kernels.DepthwiseScalar} computes for its channel.
 *
 * <ul>
 *   <li>Forward, 3×3 rows whose three input rows exist: per channel block the nine weight vectors (and the bias, and
 *       the batch norm + ReLU map of an inference graph) stay in registers while the row's interior pixels stream by,
 *       four outputs at a time at stride 1 (six input vectors per input row serve all four) and two at stride 2 (five
 *       per row; at stride 1 the last two of each input row stay in registers for the next step, which loads four per
 *       row), each output its own fma chain in tap order, mapped before the store;
 *       border pixels and other kernel sizes go tap by tap along the row, one weight vector in a register per tap.</li>
 *   <li>Input gradient: for stride-1 3×3 rows, interior pixels gather their nine taps with the weights in registers,
 *       four pixels at a time (six ∂L/∂y vectors per output row serve all four);
 *       for stride-2 3×3 rows, interior pixels in (even, odd) pairs gather their four and two taps (of one or two row
 *       taps) with the weights in registers, each pixel's sum stored once;
 *       otherwise tap by tap in (ky, kx) order, the tap's weight vector in a register while it sweeps the row.</li>
 *   <li>Kernel gradient over a range of output rows: for a 3×3 row whose three input rows exist and vectors of a
 *       whole cache line, per channel vector the nine tap partials are nine fma chains in registers while the row
 *       streams by once, four output pixels at a time at stride 1 and two at stride 2 (each input vector loaded once
 *       for all the taps and pixels that read it, each partial still taking its pixels in increasing ox); otherwise per tap,
 *       four channel vectors at once (four independent fma chains) along the row; row partials added to the
 *       gradient.</li>
 * </ul>
 * Forward and kernel gradient read each new row (input, output, ∂L/∂y) ahead, in order, when a pixel spans more
 * than two cache lines ({@link #readsAhead}) — the forward with 512-bit vectors only when its input rows are too many
 * to be still in cache ({@link #FORWARD_READ_AHEAD_BYTES}); the input gradient's rows are zeroed in order by its caller.
 */
public final class DepthwiseVector implements DepthwiseKernel {
    private static final int L = F.length();
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f), MINUS_ZERO = FloatVector.broadcast(F, -0f);
    /**
     * Whether the 3×3 kernel gradient keeps the nine tap partials of one channel vector in registers
     * ({@link #kernelRow3x3}): when a vector is a whole 64-byte cache line, each of its ten loads a pixel uses a whole
     * line. Narrower vectors would fetch every line once per vector of it; they sweep four vectors per tap instead.
     */
    private static final boolean NINE_PARTIALS = L * Float.BYTES >= 64;
    /** The xor of what {@link #readAhead} read, stored once per call only so that the JIT cannot drop those reads. */
    @SuppressWarnings("unused") private static int readAheadBits;

    /**
     * Whether a pass reads its rows ahead ({@link #readAhead}): when a pixel's channels span more than two 64-byte cache
     * lines, the sweep of one channel vector along a row touches one line every few hundred bytes, a stride the
     * hardware prefetchers follow poorly; read once in order beforehand, the row is in cache for every sweep.
     */
    private static boolean readsAhead(int channels) {
        return channels * Float.BYTES > 2 * 64;
    }

    /**
     * The input bytes a forward call reads, at most, without reading rows ahead when vectors are whole cache lines
     * ({@link #FORWARD_SKIPS_READ_AHEAD}): an input this small (a 224² image's largest depthwise input is 4.8 MB) is
     * still in a large last-level cache from the layer that wrote it, and there the hardware prefetchers keep up with
     * the sweeps, so a pass ahead only adds its own time; larger inputs (several images, a batch in training) come from
     * memory, where it pays. Chosen by measuring on a Zen 4 with a 32 MB L3 shared by two cores
     * (bench/RESULTS-issue13-changes.md).
     */
    private static final long FORWARD_READ_AHEAD_BYTES = 6L << 20;
    /**
     * Whether small forward calls skip the pass ahead ({@link #FORWARD_READ_AHEAD_BYTES}): with 512-bit vectors, the
     * machines with a large L3 it was measured on; narrower vectors keep it (128 bits is the NEON width of a Raspberry
     * Pi 4, whose last-level cache is a 1 MB L2, so a 4.8 MB input comes from memory there).
     */
    private static final boolean FORWARD_SKIPS_READ_AHEAD = L * Float.BYTES >= 64;

    /** Reads {@code a[from, from + length)} in order, one element per 64-byte line, and returns the xor of their bits. */
    private static int readAhead(float[] a, int from, int length) {
        int bits = 0;
        for (int i = from; i < from + length; i += 64 / Float.BYTES) bits ^= Float.floatToRawIntBits(a[i]);
        return bits;
    }

    /**
     * {@link #readAhead} of the input rows {@code [kyLo, kyHi)} of output row {@code r} (image {@code n}, top input row
     * {@code iy0}) that the row before it did not read, unless {@code r} is the first row of the call or of an image.
     */
    private static int readInputRowsAhead(WindowGeometry g, float[] x, int r, int row0, int n, int iy0, int kyLo, int kyHi) {
        int fresh = r == row0 || r % g.outH == 0 ? kyLo : Math.max(kyLo, g.kh - g.stride), rowLength = g.w * g.channels, bits = 0;
        for (int ky = fresh; ky < kyHi; ky++) bits ^= readAhead(x, (n * g.h + iy0 + ky) * rowLength, rowLength);
        return bits;
    }

    @Override public void forward(WindowGeometry g, float[] x, float[] kernel, float[] bias, ColumnMap map, float[] y, int row0, int row1) {
        long inputBytes = (long) (row1 - row0) * g.stride * g.w * g.channels * Float.BYTES;
        boolean ahead = readsAhead(g.channels) && (!FORWARD_SKIPS_READ_AHEAD || inputBytes > FORWARD_READ_AHEAD_BYTES);
        int bits = 0;
        for (int r = row0; r < row1; r++) {
            int n = r / g.outH, oy = r % g.outH;
            int iy0 = oy * g.stride - g.padTop;
            int kyLo = firstTap(iy0), kyHi = endTap(iy0, g.h, g.kh);
            if (ahead) {
                bits ^= readInputRowsAhead(g, x, r, row0, n, iy0, kyLo, kyHi);
                bits ^= readAhead(y, r * g.outW * g.channels, g.outW * g.channels); // its lines owned before the stores
            }
            if (g.kh == 3 && g.kw == 3 && kyLo == 0 && kyHi == 3) {
                // interior columns: all three input columns exist
                int oxA = (g.padLeft + g.stride - 1) / g.stride;
                int oxB = Math.min(g.outW, Math.floorDiv(g.w - 3 + g.padLeft, g.stride) + 1);
                if (oxA < oxB) {
                    rowByTaps(g, x, kernel, bias, map, y, r, n, iy0, kyLo, kyHi, 0, oxA);
                    row3x3(g, x, kernel, bias, map, y, r, n, iy0, oxA, oxB);
                    rowByTaps(g, x, kernel, bias, map, y, r, n, iy0, kyLo, kyHi, oxB, g.outW);
                    continue;
                }
            }
            rowByTaps(g, x, kernel, bias, map, y, r, n, iy0, kyLo, kyHi, 0, g.outW);
        }
        if (ahead) readAheadBits = bits;
    }

    /** Output pixels {@code [oxA, oxB)} of row {@code r}, all nine taps inside the input. */
    private static void row3x3(WindowGeometry g, float[] x, float[] k, float[] bias, ColumnMap map, float[] y, int r, int n, int iy0,
            int oxA, int oxB) {
        int c = g.channels, s = g.stride, vecEnd = F.loopBound(c);
        int rowStride = g.w * c, pixStride = s * c;
        boolean mapped = map != null;
        int in0 = ((n * g.h + iy0) * g.w + oxA * s - g.padLeft) * c;
        int out0 = (r * g.outW + oxA) * c;
        for (int ch = 0; ch < vecEnd; ch += L) {
            FloatVector w0 = FloatVector.fromArray(F, k, ch), w1 = FloatVector.fromArray(F, k, c + ch);
            FloatVector w2 = FloatVector.fromArray(F, k, 2 * c + ch);
            FloatVector w3 = FloatVector.fromArray(F, k, 3 * c + ch), w4 = FloatVector.fromArray(F, k, 4 * c + ch);
            FloatVector w5 = FloatVector.fromArray(F, k, 5 * c + ch);
            FloatVector w6 = FloatVector.fromArray(F, k, 6 * c + ch), w7 = FloatVector.fromArray(F, k, 7 * c + ch);
            FloatVector w8 = FloatVector.fromArray(F, k, 8 * c + ch);
            FloatVector b = bias == null ? FloatVector.zero(F) : FloatVector.fromArray(F, bias, ch);
            // The map's vectors (without an affine step: fma(acc, 1, −0) = acc exactly, even for acc = ±0).
            FloatVector ms = !mapped || map.scale() == null ? ONE : FloatVector.fromArray(F, map.scale(), ch);
            FloatVector mt = !mapped || map.shift() == null ? MINUS_ZERO : FloatVector.fromArray(F, map.shift(), ch);
            FloatVector lo = FloatVector.broadcast(F, mapped ? map.lo() : 0f), hi = FloatVector.broadcast(F, mapped ? map.hi() : 0f);
            int in = in0 + ch, out = out0 + ch;
            int ox = oxA;
            if (s == 1 && ox + 4 <= oxB) {
                // the first two input pixels of each input row; each step loads four more and keeps the last two
                FloatVector q0 = FloatVector.fromArray(F, x, in), q1 = FloatVector.fromArray(F, x, in + c);
                FloatVector q2 = FloatVector.fromArray(F, x, in + rowStride), q3 = FloatVector.fromArray(F, x, in + rowStride + c);
                FloatVector q4 = FloatVector.fromArray(F, x, in + 2 * rowStride);
                FloatVector q5 = FloatVector.fromArray(F, x, in + 2 * rowStride + c);
                for (; ox + 4 <= oxB; ox += 4, in += 4 * c, out += 4 * c) {
                    FloatVector a0, a1, a2, a3, p2, p3, p4, p5;
                    int i = in;
                    p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                    p4 = FloatVector.fromArray(F, x, i + 4 * c); p5 = FloatVector.fromArray(F, x, i + 5 * c);
                    a0 = q0.fma(w0, b); a1 = q1.fma(w0, b); a2 = p2.fma(w0, b); a3 = p3.fma(w0, b);
                    a0 = q1.fma(w1, a0); a1 = p2.fma(w1, a1); a2 = p3.fma(w1, a2); a3 = p4.fma(w1, a3);
                    a0 = p2.fma(w2, a0); a1 = p3.fma(w2, a1); a2 = p4.fma(w2, a2); a3 = p5.fma(w2, a3);
                    q0 = p4; q1 = p5;
                    i += rowStride;
                    p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                    p4 = FloatVector.fromArray(F, x, i + 4 * c); p5 = FloatVector.fromArray(F, x, i + 5 * c);
                    a0 = q2.fma(w3, a0); a1 = q3.fma(w3, a1); a2 = p2.fma(w3, a2); a3 = p3.fma(w3, a3);
                    a0 = q3.fma(w4, a0); a1 = p2.fma(w4, a1); a2 = p3.fma(w4, a2); a3 = p4.fma(w4, a3);
                    a0 = p2.fma(w5, a0); a1 = p3.fma(w5, a1); a2 = p4.fma(w5, a2); a3 = p5.fma(w5, a3);
                    q2 = p4; q3 = p5;
                    i += rowStride;
                    p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                    p4 = FloatVector.fromArray(F, x, i + 4 * c); p5 = FloatVector.fromArray(F, x, i + 5 * c);
                    a0 = q4.fma(w6, a0); a1 = q5.fma(w6, a1); a2 = p2.fma(w6, a2); a3 = p3.fma(w6, a3);
                    a0 = q5.fma(w7, a0); a1 = p2.fma(w7, a1); a2 = p3.fma(w7, a2); a3 = p4.fma(w7, a3);
                    a0 = p2.fma(w8, a0); a1 = p3.fma(w8, a1); a2 = p4.fma(w8, a2); a3 = p5.fma(w8, a3);
                    q4 = p4; q5 = p5;
                    if (mapped) {
                        a0 = a0.fma(ms, mt).max(lo).min(hi); a1 = a1.fma(ms, mt).max(lo).min(hi);
                        a2 = a2.fma(ms, mt).max(lo).min(hi); a3 = a3.fma(ms, mt).max(lo).min(hi);
                    }
                    a0.intoArray(y, out); a1.intoArray(y, out + c); a2.intoArray(y, out + 2 * c); a3.intoArray(y, out + 3 * c);
                }
            } else if (s == 2) {
                for (; ox + 2 <= oxB; ox += 2, in += 4 * c, out += 2 * c) {
                    FloatVector a0, a1, p0, p1, p2, p3, p4;
                    int i = in;
                    p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                    p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                    p4 = FloatVector.fromArray(F, x, i + 4 * c);
                    a0 = p0.fma(w0, b); a1 = p2.fma(w0, b);
                    a0 = p1.fma(w1, a0); a1 = p3.fma(w1, a1);
                    a0 = p2.fma(w2, a0); a1 = p4.fma(w2, a1);
                    i += rowStride;
                    p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                    p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                    p4 = FloatVector.fromArray(F, x, i + 4 * c);
                    a0 = p0.fma(w3, a0); a1 = p2.fma(w3, a1);
                    a0 = p1.fma(w4, a0); a1 = p3.fma(w4, a1);
                    a0 = p2.fma(w5, a0); a1 = p4.fma(w5, a1);
                    i += rowStride;
                    p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                    p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                    p4 = FloatVector.fromArray(F, x, i + 4 * c);
                    a0 = p0.fma(w6, a0); a1 = p2.fma(w6, a1);
                    a0 = p1.fma(w7, a0); a1 = p3.fma(w7, a1);
                    a0 = p2.fma(w8, a0); a1 = p4.fma(w8, a1);
                    if (mapped) { a0 = a0.fma(ms, mt).max(lo).min(hi); a1 = a1.fma(ms, mt).max(lo).min(hi); }
                    a0.intoArray(y, out); a1.intoArray(y, out + c);
                }
            }
            for (; ox < oxB; ox++, in += pixStride, out += c) {
                int i1 = in + rowStride, i2 = in + 2 * rowStride;
                FloatVector acc = FloatVector.fromArray(F, x, in).fma(w0, b);
                acc = FloatVector.fromArray(F, x, in + c).fma(w1, acc);
                acc = FloatVector.fromArray(F, x, in + 2 * c).fma(w2, acc);
                acc = FloatVector.fromArray(F, x, i1).fma(w3, acc);
                acc = FloatVector.fromArray(F, x, i1 + c).fma(w4, acc);
                acc = FloatVector.fromArray(F, x, i1 + 2 * c).fma(w5, acc);
                acc = FloatVector.fromArray(F, x, i2).fma(w6, acc);
                acc = FloatVector.fromArray(F, x, i2 + c).fma(w7, acc);
                acc = FloatVector.fromArray(F, x, i2 + 2 * c).fma(w8, acc);
                if (mapped) acc = acc.fma(ms, mt).max(lo).min(hi);
                acc.intoArray(y, out);
            }
        }
        for (int ch = vecEnd; ch < c; ch++) {
            int in = in0 + ch, out = out0 + ch;
            for (int ox = oxA; ox < oxB; ox++, in += pixStride, out += c) {
                float acc = bias == null ? 0f : bias[ch];
                for (int ky = 0; ky < 3; ky++) {
                    for (int kx = 0; kx < 3; kx++) acc = Math.fma(x[in + ky * rowStride + kx * c], k[(ky * 3 + kx) * c + ch], acc);
                }
                y[out] = map == null ? acc : map.apply(acc, ch);
            }
        }
    }

    /**
     * Output pixels {@code [oxFrom, oxTo)} of row {@code r}, any kernel size: the row starts at the bias, then each
     * valid tap in (ky, kx) order sweeps it with its weight vector in a register ({@code y += x·w}), so every pixel
     * sums its taps in the scalar twin's order; then the map, if any, over those pixels while they are in L1.
     */
    private static void rowByTaps(WindowGeometry g, float[] x, float[] k, float[] bias, ColumnMap map, float[] y, int r, int n, int iy0,
                                  int kyLo, int kyHi, int oxFrom, int oxTo) {
        if (oxFrom >= oxTo) return;
        int c = g.channels, s = g.stride, vecEnd = F.loopBound(c);
        int outRow = r * g.outW * c;
        for (int ox = oxFrom; ox < oxTo; ox++) {
            int o = outRow + ox * c;
            if (bias == null) Arrays.fill(y, o, o + c, 0f);
            else System.arraycopy(bias, 0, y, o, c);
        }
        for (int ky = kyLo; ky < kyHi; ky++) {
            int inRow = ((n * g.h + iy0 + ky) * g.w - g.padLeft) * c; // + (ox·s + kx)·c: the input pixel of output ox
            for (int kx = 0; kx < g.kw; kx++) {
                OutRange cols = g.colRanges[kx];
                int from = Math.max(oxFrom, cols.from()), to = Math.min(oxTo, cols.to());
                int tap = (ky * g.kw + kx) * c, in0 = inRow + kx * c;
                int ch = 0;
                for (; ch < vecEnd; ch += L) {
                    FloatVector wv = FloatVector.fromArray(F, k, tap + ch);
                    for (int ox = from; ox < to; ox++) {
                        int o = outRow + ox * c + ch;
                        FloatVector.fromArray(F, x, in0 + ox * s * c + ch).fma(wv, FloatVector.fromArray(F, y, o)).intoArray(y, o);
                    }
                }
                for (; ch < c; ch++) {
                    for (int ox = from; ox < to; ox++) {
                        int o = outRow + ox * c + ch;
                        y[o] = Math.fma(x[in0 + ox * s * c + ch], k[tap + ch], y[o]);
                    }
                }
            }
        }
        if (map == null) return;
        for (int ox = oxFrom; ox < oxTo; ox++) { // the pixels are in L1: map them in place
            int o = outRow + ox * c, ch = 0;
            for (; ch < vecEnd; ch += L) {
                FloatVector ms = map.scale() == null ? ONE : FloatVector.fromArray(F, map.scale(), ch);
                FloatVector mt = map.shift() == null ? MINUS_ZERO : FloatVector.fromArray(F, map.shift(), ch);
                FloatVector.fromArray(F, y, o + ch).fma(ms, mt).max(map.lo()).min(map.hi()).intoArray(y, o + ch);
            }
            for (; ch < c; ch++) y[o + ch] = map.apply(y[o + ch], ch);
        }
    }

    @Override public void backwardInput(WindowGeometry g, float[] dy, float[] k, float[] dx, int row0, int row1) {
        for (int r = row0; r < row1; r++) {
            int n = r / g.h, iy = r % g.h;
            TapRun rows = g.rowTaps[iy];
            if (g.kh == 3 && g.kw == 3 && g.stride == 1 && rows.count() == 3) {
                // interior columns: read by all three output columns ix + padLeft − kx
                int ixA = Math.max(0, 2 - g.padLeft), ixB = Math.min(g.w, g.outW - g.padLeft);
                if (ixA < ixB) {
                    inputRowByTaps(g, dy, k, dx, r, n, rows, 0, ixA);
                    inputRow3x3(g, dy, k, dx, r, n, rows.firstOut(), ixA, ixB);
                    inputRowByTaps(g, dy, k, dx, r, n, rows, ixB, g.w);
                    continue;
                }
            }
            if (g.kh == 3 && g.kw == 3 && g.stride == 2 && rows.count() > 0) {
                // pairs (even, odd) of shifted column p = ix + padLeft: taps kx 0 and 2 (outputs p/2, p/2 − 1), then kx 1
                int ixA = Math.max(0, 2 - g.padLeft);
                if (((ixA + g.padLeft) & 1) == 1) ixA++;
                int pairs = Math.max(0, Math.min((g.w - ixA) / 2, g.outW - (ixA + g.padLeft) / 2));
                if (pairs > 0) {
                    int ixB = ixA + 2 * pairs;
                    inputRowByTaps(g, dy, k, dx, r, n, rows, 0, ixA);
                    inputRow3x3s2(g, dy, k, dx, r, n, rows, ixA, ixB);
                    inputRowByTaps(g, dy, k, dx, r, n, rows, ixB, g.w);
                    continue;
                }
            }
            inputRowByTaps(g, dy, k, dx, r, n, rows, 0, g.w);
        }
    }

    /**
     * Stride-2 3×3 input gradient of pixels {@code [ixA, ixB)} of input row {@code r}, in pairs whose first pixel has
     * an even shifted column {@code p = ix + padLeft}, every column tap valid: the even pixel gathers taps kx 0 and 2
     * (outputs {@code p/2} and {@code p/2 − 1}), the odd one tap kx 1 (output {@code p/2}), for each of the row's one
     * or two row taps, in (ky, kx) order from the existing {@code dx}; the weights stay in registers.
     */
    private static void inputRow3x3s2(WindowGeometry g, float[] dy, float[] k, float[] dx, int r, int n, TapRun rows, int ixA, int ixB) {
        int c = g.channels, vecEnd = F.loopBound(c);
        int ky0 = rows.firstTap(), two = rows.count() - 1; // two: 1 when a second row tap (ky0 + 2, output row − 1) reads it
        int dy0 = ((n * g.outH + rows.firstOut()) * g.outW + (ixA + g.padLeft) / 2) * c, dy1 = dy0 - two * g.outW * c;
        int dxA = (r * g.w + ixA) * c;
        for (int ch = 0; ch < vecEnd; ch += L) {
            if (two == 1) pairs2Rows(c, dy, k, dx, ky0, dy0 + ch, dy1 + ch, dxA + ch, (ixB - ixA) / 2, ch);
            else pairs1Row(c, dy, k, dx, ky0, dy0 + ch, dxA + ch, (ixB - ixA) / 2, ch);
        }
        for (int ch = vecEnd; ch < c; ch++) {
            for (int q = 0; q < (ixB - ixA) / 2; q++) {
                int e = dxA + 2 * q * c + ch, o = e + c;
                float accE = dx[e], accO = dx[o];
                for (int j = 0; j <= two; j++) {
                    int d = (j == 0 ? dy0 : dy1) + q * c + ch, w = (ky0 + 2 * j) * 3 * c + ch;
                    accE = Math.fma(dy[d], k[w], accE);
                    accE = Math.fma(dy[d - c], k[w + 2 * c], accE);
                    accO = Math.fma(dy[d], k[w + c], accO);
                }
                dx[e] = accE;
                dx[o] = accO;
            }
        }
    }

    /** {@link #inputRow3x3s2} for one channel vector, row taps {@code ky0} (outputs at {@code d0}) and {@code ky0 + 2}. */
    private static void pairs2Rows(int c, float[] dy, float[] k, float[] dx, int ky0, int d0, int d1, int e, int pairs, int ch) {
        int w = ky0 * 3 * c + ch;
        FloatVector w00 = FloatVector.fromArray(F, k, w), w01 = FloatVector.fromArray(F, k, w + c);
        FloatVector w02 = FloatVector.fromArray(F, k, w + 2 * c);
        w += 6 * c;
        FloatVector w10 = FloatVector.fromArray(F, k, w), w11 = FloatVector.fromArray(F, k, w + c);
        FloatVector w12 = FloatVector.fromArray(F, k, w + 2 * c);
        for (int q = 0; q < pairs; q++, d0 += c, d1 += c, e += 2 * c) {
            FloatVector a0 = FloatVector.fromArray(F, dy, d0), b0 = FloatVector.fromArray(F, dy, d0 - c);
            FloatVector a1 = FloatVector.fromArray(F, dy, d1), b1 = FloatVector.fromArray(F, dy, d1 - c);
            FloatVector even = a0.fma(w00, FloatVector.fromArray(F, dx, e));
            even = b0.fma(w02, even);
            even = a1.fma(w10, even);
            even = b1.fma(w12, even);
            FloatVector odd = a0.fma(w01, FloatVector.fromArray(F, dx, e + c));
            odd = a1.fma(w11, odd);
            even.intoArray(dx, e);
            odd.intoArray(dx, e + c);
        }
    }

    /** {@link #inputRow3x3s2} for one channel vector and the single row tap {@code ky0} (outputs at {@code d0}). */
    private static void pairs1Row(int c, float[] dy, float[] k, float[] dx, int ky0, int d0, int e, int pairs, int ch) {
        int w = ky0 * 3 * c + ch;
        FloatVector w0 = FloatVector.fromArray(F, k, w), w1 = FloatVector.fromArray(F, k, w + c);
        FloatVector w2 = FloatVector.fromArray(F, k, w + 2 * c);
        for (int q = 0; q < pairs; q++, d0 += c, e += 2 * c) {
            FloatVector a = FloatVector.fromArray(F, dy, d0), b = FloatVector.fromArray(F, dy, d0 - c);
            b.fma(w2, a.fma(w0, FloatVector.fromArray(F, dx, e))).intoArray(dx, e);
            a.fma(w1, FloatVector.fromArray(F, dx, e + c)).intoArray(dx, e + c);
        }
    }

    /**
     * Stride-1 3×3 input gradient of pixels {@code [ixA, ixB)} of input row {@code r}, every tap valid: nine weight
     * vectors in registers, {@code dx += Σ_{ky,kx} dy[oy0 − ky, ix + padLeft − kx]·K[ky, kx]} in (ky, kx) order; four
     * pixels at a time share the six ∂L/∂y vectors of each output row they read.
     */
    private static void inputRow3x3(WindowGeometry g, float[] dy, float[] k, float[] dx, int r, int n, int oy0, int ixA, int ixB) {
        int c = g.channels, vecEnd = F.loopBound(c), dyRowStride = g.outW * c;
        int dyA = ((n * g.outH + oy0) * g.outW + ixA + g.padLeft) * c; // dy[oy0, ixA + padLeft]: tap (0, 0)
        int dxA = (r * g.w + ixA) * c;
        for (int ch = 0; ch < vecEnd; ch += L) {
            FloatVector w0 = FloatVector.fromArray(F, k, ch), w1 = FloatVector.fromArray(F, k, c + ch);
            FloatVector w2 = FloatVector.fromArray(F, k, 2 * c + ch);
            FloatVector w3 = FloatVector.fromArray(F, k, 3 * c + ch), w4 = FloatVector.fromArray(F, k, 4 * c + ch);
            FloatVector w5 = FloatVector.fromArray(F, k, 5 * c + ch);
            FloatVector w6 = FloatVector.fromArray(F, k, 6 * c + ch), w7 = FloatVector.fromArray(F, k, 7 * c + ch);
            FloatVector w8 = FloatVector.fromArray(F, k, 8 * c + ch);
            int d0 = dyA + ch, i = dxA + ch;
            int ix = ixA;
            for (; ix + 4 <= ixB; ix += 4, d0 += 4 * c, i += 4 * c) {
                // dx[ix + j] takes dy columns ix + j + padLeft − kx: q0 … q5 are columns (ix + padLeft) − 2 … + 3
                FloatVector a0 = FloatVector.fromArray(F, dx, i), a1 = FloatVector.fromArray(F, dx, i + c);
                FloatVector a2 = FloatVector.fromArray(F, dx, i + 2 * c), a3 = FloatVector.fromArray(F, dx, i + 3 * c);
                int d = d0 - 2 * c;
                FloatVector q0 = FloatVector.fromArray(F, dy, d), q1 = FloatVector.fromArray(F, dy, d + c);
                FloatVector q2 = FloatVector.fromArray(F, dy, d + 2 * c);
                FloatVector q3 = FloatVector.fromArray(F, dy, d + 3 * c), q4 = FloatVector.fromArray(F, dy, d + 4 * c);
                FloatVector q5 = FloatVector.fromArray(F, dy, d + 5 * c);
                a0 = q0.fma(w2, q1.fma(w1, q2.fma(w0, a0)));
                a1 = q1.fma(w2, q2.fma(w1, q3.fma(w0, a1)));
                a2 = q2.fma(w2, q3.fma(w1, q4.fma(w0, a2)));
                a3 = q3.fma(w2, q4.fma(w1, q5.fma(w0, a3)));
                d -= dyRowStride;
                q0 = FloatVector.fromArray(F, dy, d); q1 = FloatVector.fromArray(F, dy, d + c);
                q2 = FloatVector.fromArray(F, dy, d + 2 * c); q3 = FloatVector.fromArray(F, dy, d + 3 * c);
                q4 = FloatVector.fromArray(F, dy, d + 4 * c); q5 = FloatVector.fromArray(F, dy, d + 5 * c);
                a0 = q0.fma(w5, q1.fma(w4, q2.fma(w3, a0)));
                a1 = q1.fma(w5, q2.fma(w4, q3.fma(w3, a1)));
                a2 = q2.fma(w5, q3.fma(w4, q4.fma(w3, a2)));
                a3 = q3.fma(w5, q4.fma(w4, q5.fma(w3, a3)));
                d -= dyRowStride;
                q0 = FloatVector.fromArray(F, dy, d); q1 = FloatVector.fromArray(F, dy, d + c);
                q2 = FloatVector.fromArray(F, dy, d + 2 * c); q3 = FloatVector.fromArray(F, dy, d + 3 * c);
                q4 = FloatVector.fromArray(F, dy, d + 4 * c); q5 = FloatVector.fromArray(F, dy, d + 5 * c);
                a0 = q0.fma(w8, q1.fma(w7, q2.fma(w6, a0)));
                a1 = q1.fma(w8, q2.fma(w7, q3.fma(w6, a1)));
                a2 = q2.fma(w8, q3.fma(w7, q4.fma(w6, a2)));
                a3 = q3.fma(w8, q4.fma(w7, q5.fma(w6, a3)));
                a0.intoArray(dx, i); a1.intoArray(dx, i + c); a2.intoArray(dx, i + 2 * c); a3.intoArray(dx, i + 3 * c);
            }
            for (; ix < ixB; ix++, d0 += c, i += c) {
                int d1 = d0 - dyRowStride, d2 = d1 - dyRowStride;
                FloatVector acc = FloatVector.fromArray(F, dx, i);
                acc = FloatVector.fromArray(F, dy, d0).fma(w0, acc);
                acc = FloatVector.fromArray(F, dy, d0 - c).fma(w1, acc);
                acc = FloatVector.fromArray(F, dy, d0 - 2 * c).fma(w2, acc);
                acc = FloatVector.fromArray(F, dy, d1).fma(w3, acc);
                acc = FloatVector.fromArray(F, dy, d1 - c).fma(w4, acc);
                acc = FloatVector.fromArray(F, dy, d1 - 2 * c).fma(w5, acc);
                acc = FloatVector.fromArray(F, dy, d2).fma(w6, acc);
                acc = FloatVector.fromArray(F, dy, d2 - c).fma(w7, acc);
                acc = FloatVector.fromArray(F, dy, d2 - 2 * c).fma(w8, acc);
                acc.intoArray(dx, i);
            }
        }
        for (int ch = vecEnd; ch < c; ch++) {
            int d0 = dyA + ch, i = dxA + ch;
            for (int ix = ixA; ix < ixB; ix++, d0 += c, i += c) {
                float acc = dx[i];
                for (int ky = 0; ky < 3; ky++) {
                    for (int kx = 0; kx < 3; kx++) acc = Math.fma(dy[d0 - ky * dyRowStride - kx * c], k[(ky * 3 + kx) * c + ch], acc);
                }
                dx[i] = acc;
            }
        }
    }

    /**
     * Input gradient of pixels {@code [ixFrom, ixTo)} of input row {@code r}, any kernel and stride: tap by tap in
     * (ky, kx) order, the tap's weight vector in a register while it sweeps the row ({@code dx += dy·w}); each input
     * pixel thus accumulates its taps in the scalar twin's order.
     */
    private static void inputRowByTaps(WindowGeometry g, float[] dy, float[] k, float[] dx, int r, int n, TapRun rows, int ixFrom,
            int ixTo) {
        if (ixFrom >= ixTo) return;
        int c = g.channels, s = g.stride, vecEnd = F.loopBound(c);
        for (int j = 0; j < rows.count(); j++) {
            int ky = rows.firstTap() + j * s, dyRow = (n * g.outH + rows.firstOut() - j) * g.outW * c;
            for (int kx = 0; kx < g.kw; kx++) {
                // outputs ox whose tap kx reads a real input column ix = ox·s − padLeft + kx inside [ixFrom, ixTo)
                OutRange cols = g.colRanges[kx];
                int from = Math.max(cols.from(), Math.floorDiv(ixFrom + g.padLeft - kx + s - 1, s));
                int to = Math.min(cols.to(), Math.floorDiv(ixTo + g.padLeft - kx + s - 1, s));
                int tap = (ky * g.kw + kx) * c;
                int dxRow = (r * g.w + kx - g.padLeft) * c; // + ox·s·c: the input column of output ox
                int ch = 0;
                for (; ch < vecEnd; ch += L) {
                    FloatVector wv = FloatVector.fromArray(F, k, tap + ch);
                    for (int ox = from; ox < to; ox++) {
                        int i = dxRow + ox * s * c + ch;
                        FloatVector.fromArray(F, dy, dyRow + ox * c + ch).fma(wv, FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
                    }
                }
                for (; ch < c; ch++) {
                    for (int ox = from; ox < to; ox++) {
                        int i = dxRow + ox * s * c + ch;
                        dx[i] = Math.fma(dy[dyRow + ox * c + ch], k[tap + ch], dx[i]);
                    }
                }
            }
        }
    }

    @Override public void backwardKernel(WindowGeometry g, float[] x, float[] dy, int row0, int row1, float[] dK, float[] dBias) {
        int c = g.channels, s = g.stride;
        DepthwiseScalar.clearKernelGradient(g, dK, dBias);
        float[] partials = NINE_PARTIALS && g.kh == 3 && g.kw == 3 ? new float[9 * L] : null; // kernelRow3x3's nine partials
        boolean ahead = readsAhead(c);
        int bits = 0;
        for (int r = row0; r < row1; r++) {
            int b = r / g.outH, oy = r % g.outH;
            int iy0 = oy * s - g.padTop;
            int kyLo = firstTap(iy0), kyHi = endTap(iy0, g.h, g.kh);
            int dyRow = r * g.outW * c;
            if (ahead) bits ^= readInputRowsAhead(g, x, r, row0, b, iy0, kyLo, kyHi) ^ readAhead(dy, dyRow, g.outW * c);
            int ch = 0;
            if (NINE_PARTIALS && g.kh == 3 && g.kw == 3 && kyLo == 0 && kyHi == 3) {
                int xRow = (b * g.h + iy0) * g.w * c;
                for (; ch + L <= c; ch += L) kernelRow3x3(g, x, dy, dK, dBias, partials, xRow, dyRow, ch);
            }
            for (; ch + 4 * L <= c; ch += 4 * L) {
                if (dBias != null) biasRow4(g, dy, dyRow, dBias, ch);
                for (int ky = kyLo; ky < kyHi; ky++) {
                    int xRow = (b * g.h + iy0 + ky) * g.w * c;
                    for (int kx = 0; kx < g.kw; kx++) tapRow4(g, x, dy, dK, xRow, dyRow, ky, kx, ch);
                }
            }
            for (; ch + L <= c; ch += L) {
                if (dBias != null) {
                    FloatVector p = FloatVector.zero(F);
                    for (int ox = 0; ox < g.outW; ox++) p = p.add(FloatVector.fromArray(F, dy, dyRow + ox * c + ch));
                    FloatVector.fromArray(F, dBias, ch).add(p).intoArray(dBias, ch);
                }
                for (int ky = kyLo; ky < kyHi; ky++) {
                    int xRow = (b * g.h + iy0 + ky) * g.w * c;
                    for (int kx = 0; kx < g.kw; kx++) {
                        OutRange cols = g.colRanges[kx];
                        int xOff = xRow + (kx - g.padLeft) * c + ch;
                        FloatVector p = FloatVector.zero(F);
                        for (int ox = cols.from(); ox < cols.to(); ox++) {
                            p = FloatVector.fromArray(F, dy, dyRow + ox * c + ch).fma(FloatVector.fromArray(F, x, xOff + ox * s * c), p);
                        }
                        int t = (ky * g.kw + kx) * c + ch;
                        FloatVector.fromArray(F, dK, t).add(p).intoArray(dK, t);
                    }
                }
            }
            DepthwiseScalar.addKernelGradientOfRow(g, x, dy, r, dK, dBias, ch, c);
        }
        if (ahead) readAheadBits = bits;
    }

    /**
     * 3×3 kernel gradient of one output row whose three input rows exist, channels {@code [ch, ch+L)}, into the nine
     * tap partials {@code partials[tap·L ..]} (zeroed here), then added to the gradient. Each tap's partial takes its
     * valid pixels in increasing ox from 0, as in the scalar twin: the row's left end tap by tap
     * ({@link #endTaps}), its interior with the nine partials in registers ({@link #interior3x3}), its right end.
     */
    private static void kernelRow3x3(WindowGeometry g, float[] x, float[] dy, float[] dK, float[] dBias, float[] partials,
                                     int xRow, int dyRow, int ch) {
        int c = g.channels;
        OutRange c0 = g.colRanges[0], c1 = g.colRanges[1], c2 = g.colRanges[2];
        int oxA = Math.max(c0.from(), Math.max(c1.from(), c2.from())), oxB = Math.min(c0.to(), Math.min(c1.to(), c2.to()));
        int xBase = xRow - g.padLeft * c + ch, dyBase = dyRow + ch; // + ox·s·c + kx·c + ky·w·c: tap (ky, kx) at output ox
        Arrays.fill(partials, 0, 9 * L, 0f);
        endTaps(g, x, dy, partials, xBase, dyBase, 0, oxA);
        if (oxA < oxB) interior3x3(g, x, dy, partials, xBase, dyBase, oxA, oxB);
        endTaps(g, x, dy, partials, xBase, dyBase, oxB, g.outW);
        for (int t = 0; t < 9; t++) addTo(dK, t * c + ch, FloatVector.fromArray(F, partials, t * L));
        if (dBias == null) return;
        FloatVector bs = FloatVector.zero(F);
        for (int ox = 0; ox < g.outW; ox++) bs = bs.add(FloatVector.fromArray(F, dy, dyBase + ox * c)); // the row is in L1
        addTo(dBias, ch, bs);
    }

    /** Adds pixels {@code [oxFrom, oxTo)} (at a row's end) to the partial of each tap that reads real input there. */
    private static void endTaps(WindowGeometry g, float[] x, float[] dy, float[] partials, int xBase, int dyBase, int oxFrom, int oxTo) {
        int c = g.channels, sc = g.stride * c;
        for (int kx = 0; kx < 3; kx++) {
            OutRange cols = g.colRanges[kx];
            for (int ox = Math.max(oxFrom, cols.from()); ox < Math.min(oxTo, cols.to()); ox++) {
                FloatVector d = FloatVector.fromArray(F, dy, dyBase + ox * c);
                for (int ky = 0; ky < 3; ky++) {
                    int p = (ky * 3 + kx) * L;
                    d.fma(FloatVector.fromArray(F, x, xBase + ox * sc + kx * c + ky * g.w * c), FloatVector.fromArray(F, partials, p))
                            .intoArray(partials, p);
                }
            }
        }
    }

    /**
     * Adds pixels {@code [oxA, oxB)}, every tap inside, to the nine partials: per four pixels at stride 1 four ∂L/∂y and
     * eighteen input loads for 36 fmas, per two at stride 2 two and fifteen for 18; each partial adds its pixels in
     * increasing ox.
     */
    private static void interior3x3(WindowGeometry g, float[] x, float[] dy, float[] partials, int xBase, int dyBase, int oxA, int oxB) {
        int c = g.channels, sc = g.stride * c, rs = g.w * c;
        FloatVector a00 = FloatVector.fromArray(F, partials, 0), a01 = FloatVector.fromArray(F, partials, L);
        FloatVector a02 = FloatVector.fromArray(F, partials, 2 * L), a10 = FloatVector.fromArray(F, partials, 3 * L);
        FloatVector a11 = FloatVector.fromArray(F, partials, 4 * L), a12 = FloatVector.fromArray(F, partials, 5 * L);
        FloatVector a20 = FloatVector.fromArray(F, partials, 6 * L), a21 = FloatVector.fromArray(F, partials, 7 * L);
        FloatVector a22 = FloatVector.fromArray(F, partials, 8 * L);
        int ox = oxA;
        if (g.stride == 1) {
            for (; ox + 4 <= oxB; ox += 4) {
                int db = dyBase + ox * c;
                FloatVector d0 = FloatVector.fromArray(F, dy, db), d1 = FloatVector.fromArray(F, dy, db + c);
                FloatVector d2 = FloatVector.fromArray(F, dy, db + 2 * c), d3 = FloatVector.fromArray(F, dy, db + 3 * c);
                int i = xBase + ox * c;
                FloatVector p0 = FloatVector.fromArray(F, x, i), p1 = FloatVector.fromArray(F, x, i + c);
                FloatVector p2 = FloatVector.fromArray(F, x, i + 2 * c);
                FloatVector p3 = FloatVector.fromArray(F, x, i + 3 * c), p4 = FloatVector.fromArray(F, x, i + 4 * c);
                FloatVector p5 = FloatVector.fromArray(F, x, i + 5 * c);
                a00 = d3.fma(p3, d2.fma(p2, d1.fma(p1, d0.fma(p0, a00))));
                a01 = d3.fma(p4, d2.fma(p3, d1.fma(p2, d0.fma(p1, a01))));
                a02 = d3.fma(p5, d2.fma(p4, d1.fma(p3, d0.fma(p2, a02))));
                i += rs;
                p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                p4 = FloatVector.fromArray(F, x, i + 4 * c); p5 = FloatVector.fromArray(F, x, i + 5 * c);
                a10 = d3.fma(p3, d2.fma(p2, d1.fma(p1, d0.fma(p0, a10))));
                a11 = d3.fma(p4, d2.fma(p3, d1.fma(p2, d0.fma(p1, a11))));
                a12 = d3.fma(p5, d2.fma(p4, d1.fma(p3, d0.fma(p2, a12))));
                i += rs;
                p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                p4 = FloatVector.fromArray(F, x, i + 4 * c); p5 = FloatVector.fromArray(F, x, i + 5 * c);
                a20 = d3.fma(p3, d2.fma(p2, d1.fma(p1, d0.fma(p0, a20))));
                a21 = d3.fma(p4, d2.fma(p3, d1.fma(p2, d0.fma(p1, a21))));
                a22 = d3.fma(p5, d2.fma(p4, d1.fma(p3, d0.fma(p2, a22))));
            }
        } else if (g.stride == 2) {
            for (; ox + 2 <= oxB; ox += 2) {
                int db = dyBase + ox * c;
                FloatVector d0 = FloatVector.fromArray(F, dy, db), d1 = FloatVector.fromArray(F, dy, db + c);
                int i = xBase + ox * sc;
                FloatVector p0 = FloatVector.fromArray(F, x, i), p1 = FloatVector.fromArray(F, x, i + c);
                FloatVector p2 = FloatVector.fromArray(F, x, i + 2 * c);
                FloatVector p3 = FloatVector.fromArray(F, x, i + 3 * c), p4 = FloatVector.fromArray(F, x, i + 4 * c);
                a00 = d1.fma(p2, d0.fma(p0, a00));
                a01 = d1.fma(p3, d0.fma(p1, a01));
                a02 = d1.fma(p4, d0.fma(p2, a02));
                i += rs;
                p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                p4 = FloatVector.fromArray(F, x, i + 4 * c);
                a10 = d1.fma(p2, d0.fma(p0, a10));
                a11 = d1.fma(p3, d0.fma(p1, a11));
                a12 = d1.fma(p4, d0.fma(p2, a12));
                i += rs;
                p0 = FloatVector.fromArray(F, x, i); p1 = FloatVector.fromArray(F, x, i + c);
                p2 = FloatVector.fromArray(F, x, i + 2 * c); p3 = FloatVector.fromArray(F, x, i + 3 * c);
                p4 = FloatVector.fromArray(F, x, i + 4 * c);
                a20 = d1.fma(p2, d0.fma(p0, a20));
                a21 = d1.fma(p3, d0.fma(p1, a21));
                a22 = d1.fma(p4, d0.fma(p2, a22));
            }
        }
        for (; ox < oxB; ox++) {
            FloatVector d = FloatVector.fromArray(F, dy, dyBase + ox * c);
            int i = xBase + ox * sc;
            a00 = d.fma(FloatVector.fromArray(F, x, i), a00);
            a01 = d.fma(FloatVector.fromArray(F, x, i + c), a01);
            a02 = d.fma(FloatVector.fromArray(F, x, i + 2 * c), a02);
            a10 = d.fma(FloatVector.fromArray(F, x, i + rs), a10);
            a11 = d.fma(FloatVector.fromArray(F, x, i + rs + c), a11);
            a12 = d.fma(FloatVector.fromArray(F, x, i + rs + 2 * c), a12);
            a20 = d.fma(FloatVector.fromArray(F, x, i + 2 * rs), a20);
            a21 = d.fma(FloatVector.fromArray(F, x, i + 2 * rs + c), a21);
            a22 = d.fma(FloatVector.fromArray(F, x, i + 2 * rs + 2 * c), a22);
        }
        a00.intoArray(partials, 0);
        a01.intoArray(partials, L);
        a02.intoArray(partials, 2 * L);
        a10.intoArray(partials, 3 * L);
        a11.intoArray(partials, 4 * L);
        a12.intoArray(partials, 5 * L);
        a20.intoArray(partials, 6 * L);
        a21.intoArray(partials, 7 * L);
        a22.intoArray(partials, 8 * L);
    }

    private static void addTo(float[] a, int i, FloatVector v) {
        FloatVector.fromArray(F, a, i).add(v).intoArray(a, i);
    }

    /** dBias[ch .. ch+4L) += Σ_ox dy[row, ox, ·]: four independent chains. */
    private static void biasRow4(WindowGeometry g, float[] dy, int dyRow, float[] dBias, int ch) {
        int c = g.channels;
        FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
        for (int ox = 0; ox < g.outW; ox++) {
            int i = dyRow + ox * c + ch;
            p0 = p0.add(FloatVector.fromArray(F, dy, i));
            p1 = p1.add(FloatVector.fromArray(F, dy, i + L));
            p2 = p2.add(FloatVector.fromArray(F, dy, i + 2 * L));
            p3 = p3.add(FloatVector.fromArray(F, dy, i + 3 * L));
        }
        addInto(dBias, ch, p0, p1, p2, p3);
    }

    /** dK[ky, kx, ch .. ch+4L) += Σ_ox dy[row, ox, ·]·x[input of tap (ky, kx)]: four independent chains. */
    private static void tapRow4(WindowGeometry g, float[] x, float[] dy, float[] dK, int xRow, int dyRow, int ky, int kx, int ch) {
        int c = g.channels, s = g.stride;
        OutRange cols = g.colRanges[kx];
        int xOff = xRow + (kx - g.padLeft) * c + ch;
        FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
        for (int ox = cols.from(); ox < cols.to(); ox++) {
            int d = dyRow + ox * c + ch, i = xOff + ox * s * c;
            p0 = FloatVector.fromArray(F, dy, d).fma(FloatVector.fromArray(F, x, i), p0);
            p1 = FloatVector.fromArray(F, dy, d + L).fma(FloatVector.fromArray(F, x, i + L), p1);
            p2 = FloatVector.fromArray(F, dy, d + 2 * L).fma(FloatVector.fromArray(F, x, i + 2 * L), p2);
            p3 = FloatVector.fromArray(F, dy, d + 3 * L).fma(FloatVector.fromArray(F, x, i + 3 * L), p3);
        }
        addInto(dK, (ky * g.kw + kx) * c + ch, p0, p1, p2, p3);
    }

    private static void addInto(float[] a, int i, FloatVector p0, FloatVector p1, FloatVector p2, FloatVector p3) {
        FloatVector.fromArray(F, a, i).add(p0).intoArray(a, i);
        FloatVector.fromArray(F, a, i + L).add(p1).intoArray(a, i + L);
        FloatVector.fromArray(F, a, i + 2 * L).add(p2).intoArray(a, i + 2 * L);
        FloatVector.fromArray(F, a, i + 3 * L).add(p3).intoArray(a, i + 3 * L);
    }
}
