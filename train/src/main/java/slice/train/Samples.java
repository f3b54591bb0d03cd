package slice.train;

import slice.train.data.CachedFeatures;

/**
 * Labelled training inputs for the trainable part of a network: the cached activations at the cut, one row of
 * {@link #sampleSize()} floats per image and augmented copy (copy 0 is the unaugmented image).
 */
public interface Samples {
    /** Number of images. */
    int size();

    /** Augmented copies per image (1 without augmentation). */
    int copies();

    /** Floats per row, the product of the activation shape. */
    int sampleSize();

    /** Class index of image {@code i}. */
    int label(int i);

    /** Copies row ({@code i}, {@code copy}) into {@code dst[offset ..]}. */
    void read(int i, int copy, float[] dst, int offset);

    /**
     * The rows of a feature cache read into memory once, if they take at most {@code maxBytes}: training reads every
     * row each epoch, and from memory it does not open, read and checksum a file each time. Rows that would not fit
     * are read from disk on demand ({@link #of}).
     */
    static Samples held(CachedFeatures f, long maxBytes) {
        long floats = (long) f.size() * f.copies() * f.sampleSize();
        if (4 * floats > maxBytes || floats > Integer.MAX_VALUE - 8) return of(f);
        int copies = f.copies(), n = f.sampleSize();
        float[] rows = new float[(int) floats];
        int[] labels = new int[f.size()];
        for (int i = 0; i < f.size(); i++) {
            labels[i] = f.label(i);
            for (int c = 0; c < copies; c++) f.read(i, c, rows, (i * copies + c) * n);
        }
        return new Samples() {
            @Override public int size() { return labels.length; }
            @Override public int copies() { return copies; }
            @Override public int sampleSize() { return n; }
            @Override public int label(int i) { return labels[i]; }
            @Override public void read(int i, int copy, float[] dst, int offset) {
                if (copy < 0 || copy >= copies) throw new IndexOutOfBoundsException("copy " + copy + " of " + copies);
                System.arraycopy(rows, (i * copies + copy) * n, dst, offset, n);
            }
        };
    }

    /** The rows of a feature cache, read from disk on demand. */
    static Samples of(CachedFeatures f) {
        return new Samples() {
            @Override public int size() { return f.size(); }
            @Override public int copies() { return f.copies(); }
            @Override public int sampleSize() { return f.sampleSize(); }
            @Override public int label(int i) { return f.label(i); }
            @Override public void read(int i, int copy, float[] dst, int offset) { f.read(i, copy, dst, offset); }
        };
    }
}
