package slice.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The features of a list of (sample, copy) items, held on disk in the {@link FeatureCache} and read on demand, so
 * a data set whose feature maps exceed the heap can still be trained on (the OS page cache keeps them hot).
 */
public final class CachedFeatures {
    private final List<Path> entries;
    private final int length;

    CachedFeatures(List<Path> entries, int length) {
        this.entries = List.copyOf(entries);
        this.length = length;
    }

    /** Number of items, in the order they were requested. */
    public int size() { return entries.size(); }

    /** Floats per item (the flattened feature map at the cut). */
    public int length() { return length; }

    /**
     * Copies item {@code i}'s features to {@code dst[offset .. offset + length())}. Each read checks the entry's
     * checksum; an entry damaged after it was validated is an {@link UncheckedIOException} naming the file.
     */
    public void read(int i, float[] dst, int offset) {
        Path entry = entries.get(i);
        try {
            if (FeatureCache.load(entry, length, dst, offset)) return;
            throw new IOException("feature cache entry " + entry + " was damaged during the run; run again to recompute it");
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
