package slice.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex digests of files (MD5 for the checksums Keras publishes, SHA-256 for ours). */
final class Checksums {
    private Checksums() { }

    /** Lower-case hex digest of the file's bytes with {@code algorithm} ({@code MD5}, {@code SHA-256}). */
    static String hex(Path file, String algorithm) {
        MessageDigest md = digest(algorithm);
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read (" + e + ")", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Lower-case hex digest of {@code bytes} with {@code algorithm}. */
    static String hex(byte[] bytes, String algorithm) {
        return HexFormat.of().formatHex(digest(algorithm).digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + algorithm, e);
        }
    }
}
