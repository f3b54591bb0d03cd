package slice.train.data;

/**
 * The frozen part of the network, from input to the cut: a pure function of the preprocessed images (BN in
 * inference mode), which is what makes caching its output valid.
 */
@FunctionalInterface
public interface Extractor {
    /**
     * @param images {@code count × size × size × 3} preprocessed images, NHWC; entries past {@code count} are stale
     * @param count  images in this batch ({@code >= 1})
     * @return {@code count × featureLength} features, image after image (the same length for every image)
     */
    float[] extract(float[] images, int count);
}
