package slice.train.data;

import java.util.SplittableRandom;

/**
 * Random distortions for the training split, as in TensorFlow's retrain.py and torchvision's
 * {@code RandomResizedCrop}: a random crop of the image (area fraction in {@code [minScale, maxScale]}, aspect ratio
 * log-uniform in {@code [minRatio, maxRatio]}), resized to the model's square, mirrored with probability 1/2, then a
 * brightness shift uniform in {@code ±brightness} and a contrast factor uniform in {@code 1 ± contrast}.
 *
 * <p>Copy 0 is always the plain image; copies 1..K are distorted. The distortion of a copy depends only on
 * (image content SHA-256, copy index, seed) — a seeded generator, so the same copy is the same picture on every run
 * and can be cached; see {@link #key()} for the cache.
 */
public record Augmentation(double minScale, double maxScale, double minRatio, double maxRatio,
                           float brightness, float contrast, long seed) {
    public Augmentation {
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("need 0 < minScale <= maxScale <= 1");
        }
        if (!(minRatio > 0 && minRatio <= maxRatio)) throw new IllegalArgumentException("need 0 < minRatio <= maxRatio");
        if (brightness < 0 || contrast < 0 || contrast >= 1) throw new IllegalArgumentException("need brightness >= 0, 0 <= contrast < 1");
    }

    /**
     * Defaults for faces: crops keep 60–100 % of the area with aspect 3:4..4:3 (a face must stay a face; ImageNet's
     * 8 % minimum would crop to an eye), brightness ±0.15, contrast ±20 %.
     */
    public static Augmentation faces(long seed) {
        return new Augmentation(0.6, 1.0, 3.0 / 4, 4.0 / 3, 0.15f, 0.2f, seed);
    }

    /** The distortion of copy {@code copy} of an image with content hash {@code sha256} and size w × h. */
    public Transform transform(String sha256, int copy, int width, int height) {
        if (copy == 0) return Transform.whole(width, height);
        SplittableRandom random = new SplittableRandom(Hashes.seed(seed + ":" + copy + ":" + sha256));
        double area = (double) width * height;
        double cropW = width, cropH = height;
        for (int attempt = 0; attempt < 10; attempt++) {   // torchvision's rejection sampling; else the whole image
            double target = area * random.nextDouble(minScale, Math.nextUp(maxScale));
            double ratio = Math.exp(random.nextDouble(Math.log(minRatio), Math.nextUp(Math.log(maxRatio))));
            double w = Math.sqrt(target * ratio), h = Math.sqrt(target / ratio);
            if (w <= width && h <= height) {
                cropW = w;
                cropH = h;
                break;
            }
        }
        double x = random.nextDouble() * (width - cropW), y = random.nextDouble() * (height - cropH);
        boolean mirror = random.nextBoolean();
        float b = brightness == 0 ? 0f : (float) random.nextDouble(-brightness, brightness);
        float c = contrast == 0 ? 1f : (float) random.nextDouble(1 - contrast, 1 + contrast);
        return new Transform(x, y, cropW, cropH, mirror, b, c);
    }

    /** Identifies these settings for the feature cache: two augmentations with the same key draw the same copies. */
    public String key() {
        return "aug-v1:" + minScale + "," + maxScale + "," + minRatio + "," + maxRatio + "," + brightness + "," + contrast + "," + seed;
    }
}
