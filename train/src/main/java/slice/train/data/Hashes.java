package slice.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: content identities for the cache and the split, and uniform numbers derived from them. */
public final class Hashes {
    private Hashes() { }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex SHA-256 of a file's contents, streamed (for weight files of tens of MB). */
    public static String sha256Hex(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A number uniform in [0, 1) determined by {@code text}: the first 53 bits of its SHA-256. */
    public static double uniform(String text) {
        return (seed(text) >>> 11) * 0x1.0p-53;
    }

    /** A 64-bit number determined by {@code text}: the first 8 bytes of its SHA-256 (seeds random generators). */
    public static long seed(String text) {
        byte[] d = sha256().digest(text.getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) bits = (bits << 8) | (d[i] & 0xFF);
        return bits;
    }
}
