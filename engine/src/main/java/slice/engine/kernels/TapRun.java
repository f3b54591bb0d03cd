package slice.engine.kernels;

/**
 * The taps of a strided window that touch one input coordinate, for the gather form of a convolution's input
 * gradient. Input coordinate {@code p} (already shifted by the padding: {@code p = i + padBefore}) is read by output
 * {@code o} through tap {@code k} when {@code o·s + k = p}. The valid taps are {@code firstTap + j·s} with outputs
 * {@code firstOut − j}, for {@code j < count}: increasing tap, decreasing output.
 */
public record TapRun(int firstTap, int firstOut, int count) {
    /** The run for shifted coordinate {@code p}, stride {@code s}, {@code taps} taps and {@code outSize} outputs. */
    public static TapRun of(int p, int s, int taps, int outSize) {
        int k = p % s, o = p / s;
        if (o >= outSize) { // outputs past the end: skip to the last real one
            int skip = o - (outSize - 1);
            k += skip * s;
            o -= skip;
        }
        int count = 0;
        if (k < taps && o >= 0) count = Math.min((taps - 1 - k) / s + 1, o + 1);
        return new TapRun(k, o, count);
    }
}
