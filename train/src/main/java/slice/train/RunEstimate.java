package slice.train;

import java.io.PrintStream;
import java.util.Locale;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.train.data.Progress;

/**
 * How long the long parts of a {@code train} run will take, printed as they begin: extrapolated from a short measured
 * sample (feature extraction's batches once they stop growing, the second epoch: the first of each also pay for
 * compiling the kernels), here and projected on a Raspberry Pi 4.
 *
 * <p><b>Projection.</b> By the README's method ("On a Raspberry Pi 4"): the Pi reaches the same fraction of its peak as
 * the 128-bit code reaches here, and its four cores scale perfectly, so
 * <pre>
 *   t_Pi = t_here · W · (P_128 / P_A72) · (threads / 4)
 * </pre>
 * with {@code P_128} = {@value #HERE_128_BIT_GFLOPS} GFLOP/s, the 128-bit FMA peak of one core of the machine the README
 * measured (a Zen 4 VM, JMH's {@code Peak} probe), {@code P_A72} = {@value #A72_GFLOPS} GFLOP/s, a Cortex-A72 core's
 * peak at 1.5 GHz, and {@code W} = {@value #WIDE_OVER_128_BIT} when the kernels here run wider than 128 bits (MobileNetV2's
 * forward at 128 bits over the same at 512 bits, both measured in the README's Java 17 table), else 1. It is a lower
 * bound on the Pi's time (one FMA pipe, a small cache and slow memory there), and only as good as this machine's
 * likeness to the one measured: the line names the factor so that it can be judged.
 */
final class RunEstimate {
    static final double HERE_128_BIT_GFLOPS = 58, A72_GFLOPS = 12, WIDE_OVER_128_BIT = 1.78;
    static final int PI_CORES = 4;
    /**
     * Images measured after the last batch that was larger than the one before it (the feature cache's first batches
     * grow, 1, 2, 4, …, while the kernels compile) before extrapolating.
     */
    static final int SAMPLE_IMAGES = 64;
    /** Or this much measured time, whichever comes first. */
    static final double SAMPLE_SECONDS = 2;

    private final PrintStream out;
    private final double piFactor;

    RunEstimate(PrintStream out) {
        this(out, piFactor(Parallel.threads(), Simd.FLOAT_LANES));
    }

    RunEstimate(PrintStream out, double piFactor) {
        this.out = out;
        this.piFactor = piFactor;
    }

    /** {@code t_Pi / t_here} of the class comment, for a run on {@code threads} threads with {@code floatLanes}-wide vectors. */
    static double piFactor(int threads, int floatLanes) {
        double width = floatLanes > 4 ? WIDE_OVER_128_BIT : 1;
        return width * HERE_128_BIT_GFLOPS / A72_GFLOPS * threads / PI_CORES;
    }

    /**
     * {@code progress} of a feature extraction, which also prints, once, how long the whole extraction will take: the
     * images {@code start} announces plus {@code alsoAfter} more (the later parts of the run, counted in proportion to
     * the share of this part that is not cached), at the rate measured once the batches stop growing.
     *
     * @param images    the images (augmented copies included) this part asks for, cached or not
     * @param alsoAfter the images of the parts extracted after this one
     */
    Progress features(Progress progress, long images, long alsoAfter) {
        return new Progress() {
            private long total, done, sampleFrom, lastBatch;
            private long startNanos, sampleNanos;
            private boolean printed;

            @Override public void start(long missing) {
                total = missing + Math.round((double) alsoAfter * missing / Math.max(1, images));
                startNanos = System.nanoTime();
                progress.start(missing);
            }

            @Override public void advance(long items) {
                progress.advance(items);
                long now = System.nanoTime();
                done += items;
                if (items > lastBatch) {     // a larger batch than the last: still warming up, the sample starts after it
                    sampleFrom = done;
                    sampleNanos = now;
                }
                lastBatch = items;
                double seconds = (now - sampleNanos) / 1e9;
                if (!printed && done > sampleFrom && (done - sampleFrom >= SAMPLE_IMAGES || seconds >= SAMPLE_SECONDS)) {
                    print(done - sampleFrom, seconds);
                }
            }

            @Override public void finish() {
                progress.finish();
                if (!printed && done > 0) print(done, (System.nanoTime() - startNanos) / 1e9);
            }

            private void print(long measured, double seconds) {
                printed = true;
                double perImage = seconds / measured;
                line(String.format(Locale.ROOT, "features of %,d images", total), perImage * total,
                        String.format(Locale.ROOT, "%,d images measured in %.1f s", measured, seconds));
            }
        };
    }

    /** After epoch {@code epoch} of at most {@code epochs}, {@code seconds} long: the epochs left at that pace. */
    void training(int epoch, int epochs, double seconds, int patience) {
        int left = epochs - epoch;
        if (left <= 0) return;
        line(String.format(Locale.ROOT, "training up to %d more epoch%s", left, left == 1 ? "" : "s"), left * seconds,
                String.format(Locale.ROOT, "epoch %d took %.1f s; early stopping after %d epochs without progress may end it sooner",
                        epoch, seconds, patience));
    }

    /** {@code estimate: WHAT: ≈ T here, ≥ ≈ T' on a Pi 4 (×F …; HOW)}. */
    private void line(String what, double seconds, String how) {
        out.printf(Locale.ROOT, "estimate: %s: ≈ %s here, at least ≈ %s on a Pi 4 (×%.1f, README \"On a Raspberry Pi 4\"); %s%n",
                what, duration(seconds), duration(seconds * piFactor), piFactor, how);
    }

    /** {@code 45 s}, {@code 3.2 min}, {@code 1.4 h}. */
    static String duration(double seconds) {
        if (seconds < 90) return String.format(Locale.ROOT, "%.0f s", Math.max(1, seconds));
        if (seconds < 90 * 60) return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
