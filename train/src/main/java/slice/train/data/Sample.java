package slice.train.data;

import java.nio.file.Path;

/**
 * One usable image of the data set.
 *
 * @param file   where it is
 * @param name   its path relative to the data folder with {@code /} separators, e.g. {@code "alice/2019/img1.jpg"}:
 *               the identity used by the split and in reports
 * @param label  index of its class in {@link Dataset#classes()}
 * @param sha256 hex SHA-256 of the file's bytes: the identity used by the feature cache and augmentation
 */
public record Sample(Path file, String name, int label, String sha256) { }
