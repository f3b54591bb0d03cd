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
