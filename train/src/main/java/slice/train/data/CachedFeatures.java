package slice.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The features of a list of samples, {@link #copies()} per sample (copy 0 plain, 1.. augmented), held on disk in the
 * {@link FeatureCache} and read on demand, so a data set whose feature maps exceed the heap can still be trained on
 * (the OS page cache keeps them hot). Its methods match {@code slice.train.Samples}.
 */
public final class CachedFeatures {
    private final List<Path> entries;        // sample-major: entry (i · copies + copy)
    private final int[] labels;
    private final int copies, sampleSize;

    CachedFeatures(List<Path> entries, int[] labels, int copies, int sampleSize) {
        this.entries = List.copyOf(entries);
        this.labels = labels;
        this.copies = copies;
        this.sampleSize = sampleSize;
    }

    /** Number of samples (images), in the order they were requested. */
    public int size() { return labels.length; }

    /** Copies per sample. */
    public int copies() { return copies; }

    /** Floats per copy (the flattened feature map at the cut); 0 for an empty list. */
    public int sampleSize() { return sampleSize; }

    /** Class index of sample {@code i}. */
    public int label(int i) { return labels[i]; }

    /**
     * Copies the features of ({@code i}, {@code copy}) to {@code dst[offset .. offset + sampleSize())}. Each read
     * checks the entry's checksum; an entry damaged after it was validated is an {@link UncheckedIOException}.
     */
    public void read(int i, int copy, float[] dst, int offset) {
        if (copy < 0 || copy >= copies) throw new IndexOutOfBoundsException("copy " + copy + " of " + copies);
        Path entry = entries.get(i * copies + copy);
        try {
            if (FeatureCache.load(entry, sampleSize, dst, offset)) return;
            throw new IOException("feature cache entry " + entry + " was damaged during the run; run again to recompute it");
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
