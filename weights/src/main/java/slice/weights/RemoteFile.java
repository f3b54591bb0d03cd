package slice.weights;

import java.net.URI;

/**
 * A file published at a URL, with what is known to check it by: its size and a published checksum. Unknown facts are
 * {@code -1} / {@code null} and are then not checked.
 *
 * @param fileName name under which it is cached (the last segment of the URL)
 * @param url      where it is published
 * @param size     length in bytes, or -1 if not known
 * @param md5      lower-case hex MD5, or null (Keras publishes MD5s)
 * @param sha256   lower-case hex SHA-256, or null
 */
public record RemoteFile(String fileName, URI url, long size, String md5, String sha256) {
    /** A file at {@code base + fileName}. */
    public static RemoteFile at(URI base, String fileName, long size, String md5, String sha256) {
        return new RemoteFile(fileName, base.resolve(fileName), size, md5, sha256);
    }
}
