package slice.train.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The photos of a request body: the body itself (an image's bytes, {@code image/jpeg}, {@code image/png}, or any
 * type: the decoder goes by the bytes), or each file part of a {@code multipart/form-data} body (RFC 7578). The size
 * limit is checked twice: against {@code Content-Length} before a byte is read, and while reading (a chunked body
 * has no length), so at most {@code limit + 1} bytes are ever held. A too large body is a 413.
 */
final class Uploads {
    private Uploads() { }

    /** One uploaded photo: its bytes and a label for messages ({@code upload} or {@code upload 2}), never a client's file name. */
    record Photo(String label, byte[] bytes) { }

    /** Refuses a body longer than {@code limit} from its {@code Content-Length}, before reading it. */
    static void checkLength(HttpExchange exchange, long limit) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null) return;
        long n;
        try {
            n = Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("Content-Length is not a number");
        }
        if (n > limit) throw tooLarge(limit);
    }

    /** The body, at most {@code limit} bytes (413 beyond; 400 when empty). */
    static byte[] body(HttpExchange exchange, long limit) throws IOException {
        checkLength(exchange, limit);
        InputStream in = exchange.getRequestBody();
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (bytes.length > limit) throw tooLarge(limit);
        if (bytes.length == 0) throw HttpError.badRequest("empty body: send a JPEG or PNG photo, or multipart/form-data with one");
        return bytes;
    }

    /** The photos of the request: the parts of a multipart body that carry a file (or any content), else the body. */
    static List<Photo> photos(HttpExchange exchange, long limit) throws IOException {
        byte[] body = body(exchange, limit);
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) return List.of(new Photo("upload", body));
        List<byte[]> parts = multipart(body, boundary(type));
        if (parts.isEmpty()) throw HttpError.badRequest("the multipart body holds no file");
        List<Photo> photos = new ArrayList<>();
        for (byte[] p : parts) photos.add(new Photo(parts.size() == 1 ? "upload" : "upload " + (photos.size() + 1), p));
        return photos;
    }

    private static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length());
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) b = b.substring(1, b.length() - 1);
                if (!b.isEmpty() && b.length() <= 70) return b;
            }
        }
        throw HttpError.badRequest("multipart/form-data without a boundary");
    }

    /**
     * The contents of the parts of {@code body} that have a non-empty body: the bytes between each part's blank line
     * (after its headers) and the CRLF before the next {@code --boundary}. Parts that are plain form fields (no
     * {@code filename}) are skipped.
     */
    static List<byte[]> multipart(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        if (at < 0) throw HttpError.badRequest("multipart body without its boundary");
        while (true) {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') return parts;   // closing delimiter
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            if (headersEnd < 0) throw HttpError.badRequest("a multipart part has no end of headers");
            String headers = new String(body, start, headersEnd - start, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), headersEnd + 4);
            if (next < 0) throw HttpError.badRequest("a multipart part is not closed by its boundary (truncated?)");
            int contentStart = headersEnd + 4;
            if (headers.contains("filename=") && next > contentStart) {
                byte[] content = new byte[next - contentStart];
                System.arraycopy(body, contentStart, content, 0, content.length);
                parts.add(content);
            }
            at = next + 2;
        }
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (data[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static HttpError tooLarge(long limit) {
        return new HttpError(413, "upload larger than the limit of " + limit + " bytes (--max-upload)");
    }
}
