package slice.train.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import slice.engine.SharedData;
import slice.train.UserError;
import slice.weights.Gallery;

/**
 * {@code serve} over real HTTP on the loopback address ({@link HttpClient}, and raw sockets where a client library
 * would hide what is sent): every endpoint on real LFW faces, every error status with its JSON body and no stack
 * trace, the token, the upload limit before and while reading, hostile uploads (a truncated JPEG, a pixel bomb), and 503
 * with Retry-After when the queue is full.
 */
class ServeApiTest {
    private static final String LFW = "faces/lfw_deepfunneled_min20/";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir Path tmp;
    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(Server::close);
    }

    /** A server on a free loopback port with {@code options} after the model folder and face models. */
    private Server serve(Path model, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--face-models",
                SharedData.require("models/face_api").toString(), "--port", "0"));
        args.addAll(List.of(options));
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        Server server = command.start();
        servers.add(server);
        return server;
    }

    static byte[] photo(String person, int number) throws IOException {
        return Files.readAllBytes(SharedData.require(String.format(Locale.ROOT, "%s%s/%s_%04d.jpg", LFW, person, person, number)));
    }

    record Reply(int status, String type, byte[] body, HttpResponse<byte[]> response) {
        JsonObject json() {
            assertTrue(type.startsWith("application/json"), "JSON, got " + type + ": " + text());
            return JsonParser.parseString(text()).getAsJsonObject();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static Reply send(Server server, String method, String path, byte[] body, String type, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(60));
        if (type != null) b.header("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
    }

    static Reply get(Server server, String path, String... headers) throws Exception {
        return send(server, "GET", path, null, null, headers);
    }

    /** A multipart/form-data body with one file part per photo, and a plain field that must be ignored. */
    static byte[] multipart(String boundary, byte[]... photos) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n").getBytes(StandardCharsets.UTF_8));
        for (byte[] p : photos) {
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"../../etc/passwd\"\r\n"
                    + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(p);
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A raw connection that sent a recognise request's headers, announcing an 11-byte body it does not send yet. */
    private static Socket headersOnly(Server server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(30000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/recognize HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 11\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    /** An error reply: the status, a JSON {@code error} naming {@code expected}, and nothing of a stack trace. */
    static JsonObject assertError(int status, String expected, Reply r) {
        assertEquals(status, r.status(), r.text());
        JsonObject json = r.json();
        assertEquals(1, json.size(), r.text());
        String message = json.get("error").getAsString();
        assertTrue(message.contains(expected), "'" + expected + "' in: " + message);
        assertFalse(r.text().contains("Exception") || r.text().contains("\tat ") || r.text().contains("slice."), r.text());
        return json;
    }

    @Test
    void everyEndpointOnRealFaces() throws Exception {
        Path model = tmp.resolve("family");
        Server server = serve(model);

        JsonObject health = get(server, "/api/health").json();
        assertEquals("ok", health.get("status").getAsString());
        assertEquals(0, health.get("people").getAsInt());
        assertTrue(health.get("vector").getAsString().contains("bit"), health.toString());
        assertTrue(health.get("threads").getAsInt() >= 1 && health.get("workers").getAsInt() >= 1, health.toString());
        assertEquals(0, get(server, "/api/people").json().getAsJsonArray("people").size());

        // enrol from a photo body, then two more as multipart: the person and the folder's gallery change together
        Reply first = send(server, "POST", "/api/people/Colin%20Powell/photos", photo("Colin_Powell", 1), "image/jpeg");
        assertEquals(200, first.status(), first.text());
        assertEquals(1, first.json().get("added").getAsInt());
        Reply more = send(server, "POST", "/api/people/Colin%20Powell/photos",
                multipart("xyzzy42", photo("Colin_Powell", 2), photo("Colin_Powell", 3), photo("Colin_Powell", 1)),
                "multipart/form-data; boundary=xyzzy42");
        assertEquals(200, more.status(), more.text());
        JsonObject m = more.json();
        assertEquals(2, m.get("added").getAsInt(), m.toString());
        assertEquals("already_enrolled", m.getAsJsonArray("photos").get(2).getAsJsonObject().get("result").getAsString());
        Gallery onDisk = Gallery.read(model);
        assertEquals("Colin Powell", onDisk.people().get(0).name());
        assertEquals(3, onDisk.people().get(0).photos().size());
        try (Stream<Path> files = Files.list(model)) {
            assertEquals(3, files.filter(p -> p.getFileName().toString().matches("face-[0-9a-f]{64}\\.jpg")).count(),
                    "a face thumbnail per enrolled photo, named by its hash, not by the client's file name");
        }
        JsonArray people = get(server, "/api/people").json().getAsJsonArray("people");
        assertEquals(1, people.size());
        assertEquals(3, people.get(0).getAsJsonObject().get("photos").getAsInt());
        Reply thumbnail = get(server, people.get(0).getAsJsonObject().get("thumbnail").getAsString());
        assertEquals(200, thumbnail.status());
        BufferedImage face = ImageIO.read(new ByteArrayInputStream(thumbnail.body()));
        assertTrue(face.getWidth() <= 160 && face.getHeight() <= 160 && Math.max(face.getWidth(), face.getHeight()) >= 100,
                face.getWidth() + "x" + face.getHeight());

        // recognise: a photo never enrolled is named, with its box inside the photo and 68 landmarks
        JsonObject powell = send(server, "POST", "/api/recognize", photo("Colin_Powell", 4), "image/jpeg").json();
        assertEquals(250, powell.get("width").getAsInt());
        assertEquals(1, powell.getAsJsonArray("faces").size(), powell.toString());
        JsonObject f = powell.getAsJsonArray("faces").get(0).getAsJsonObject();
        assertEquals("Colin Powell", f.get("person").getAsString());
        assertTrue(f.get("distance").getAsDouble() < onDisk.threshold(), f.toString());
        assertTrue(f.get("score").getAsDouble() > 0.5, f.toString());
        JsonArray box = f.getAsJsonArray("box");
        assertTrue(box.get(0).getAsDouble() > 30 && box.get(0).getAsDouble() + box.get(2).getAsDouble() < 220, box.toString());
        assertEquals(68, f.getAsJsonArray("landmarks").size());
        Reply frame = get(server, "/api/frames/" + powell.get("id").getAsLong() + ".jpg");
        assertEquals(250, ImageIO.read(new ByteArrayInputStream(frame.body())).getWidth());

        // a stranger, sent as multipart: unknown, kept for review with a thumbnail
        JsonObject stranger = send(server, "POST", "/api/recognize", multipart("b0undary", photo("Serena_Williams", 1)),
                "multipart/form-data; boundary=\"b0undary\"").json();
        JsonObject s = stranger.getAsJsonArray("faces").get(0).getAsJsonObject();
        assertEquals("unknown", s.get("person").getAsString());
        assertEquals("Colin Powell", s.get("nearest").getAsString());
        long unknownId = s.get("unknown_id").getAsLong();
        JsonArray unknowns = get(server, "/api/unknowns").json().getAsJsonArray("unknowns");
        assertEquals(unknownId, unknowns.get(0).getAsJsonObject().get("id").getAsLong());
        assertEquals(stranger.get("id").getAsLong(), unknowns.get(0).getAsJsonObject().get("event").getAsLong());
        assertNotNull(ImageIO.read(new ByteArrayInputStream(get(server, "/api/unknowns/" + unknownId + ".jpg").body())));

        // events: a new subscriber gets the recent events, oldest first, as Server-Sent Events
        HttpRequest sse = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/events")).build();
        HttpResponse<Stream<String>> stream = CLIENT.send(sse, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> data = stream.body().filter(l -> l.startsWith("data: ")).limit(2).toList();
        assertEquals(powell.get("id"), JsonParser.parseString(data.get(0).substring(6)).getAsJsonObject().get("id"));
        assertEquals(stranger.get("id"), JsonParser.parseString(data.get(1).substring(6)).getAsJsonObject().get("id"));
        stream.body().close();

        assertTrue(get(server, "/api/health").json().get("frames_per_second").getAsDouble() > 0);

        // forget: gone from the API, the folder and the recogniser
        Reply forgotten = send(server, "DELETE", "/api/people/Colin%20Powell", null, null);
        assertEquals(200, forgotten.status(), forgotten.text());
        assertEquals(3, forgotten.json().get("photos").getAsInt());
        assertEquals(0, get(server, "/api/people").json().getAsJsonArray("people").size());
        assertEquals(0, Gallery.read(model).people().size());
        JsonObject after = send(server, "POST", "/api/recognize", photo("Colin_Powell", 4), "image/jpeg").json();
        assertEquals("unknown", after.getAsJsonArray("faces").get(0).getAsJsonObject().get("person").getAsString());

        Reply page = get(server, "/");
        assertEquals(200, page.status());
        assertTrue(page.type().startsWith("text/html") && page.text().contains("name=\"viewport\""), page.type());
        assertTrue(get(server, "/app.js").text().contains("EventSource"));
    }

    @Test
    void everyErrorIsItsStatusWithAOneLineJsonError() throws Exception {
        Server server = serve(tmp.resolve("model"), "--max-upload", "5000");
        assertError(404, "no such resource", get(server, "/api/nothing"));
        assertError(404, "no such page", get(server, "/../etc/passwd"));
        Reply wrong = get(server, "/api/recognize");
        assertError(405, "method not allowed", wrong);
        assertEquals("POST", wrong.response().headers().firstValue("Allow").orElse(""));
        assertError(405, "method not allowed", send(server, "PUT", "/api/people", new byte[1], "image/jpeg"));
        assertError(400, "not an image", send(server, "POST", "/api/recognize", "hello".getBytes(StandardCharsets.UTF_8), "image/jpeg"));
        assertError(400, "empty body", send(server, "POST", "/api/recognize", new byte[0], "image/jpeg"));
        assertError(400, "without a boundary", send(server, "POST", "/api/recognize", new byte[10], "multipart/form-data"));
        assertError(400, "not closed by its boundary", send(server, "POST", "/api/recognize",
                "--b\r\nContent-Disposition: form-data; name=\"p\"; filename=\"x\"\r\n\r\nabc".getBytes(StandardCharsets.UTF_8),
                "multipart/form-data; boundary=b"));
        byte[] powell = photo("Colin_Powell", 1);
        assertError(400, "must not contain '/'", send(server, "POST", "/api/people/a%2Fb/photos", powell, "image/jpeg"));
        assertError(400, "at most 100 characters", send(server, "POST", "/api/people/" + "x".repeat(101) + "/photos", powell, "image/jpeg"));
        assertError(400, "control character", send(server, "POST", "/api/people/a%0Ab/photos", powell, "image/jpeg"));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY), "png", png);
        JsonObject noFace = assertError(400, "no face found in the photo of Wall", send(server, "POST", "/api/people/Wall/photos",
                png.toByteArray(), "image/png"));
        assertFalse(noFace.toString().contains(tmp.toString()), "no server path in " + noFace);
        assertError(403, "cross-origin request refused", send(server, "DELETE", "/api/people/Zo%C3%AB", null, null,
                "Origin", "http://evil.example"));
        assertError(403, "cross-origin request refused", send(server, "POST", "/api/people/Mallory/photos", powell, "image/jpeg",
                "Origin", "http://127.0.0.1:1"));
        assertError(404, "nobody called 'Zo\u00eb' is enrolled", send(server, "DELETE", "/api/people/Zo%C3%AB", null, null));
        assertError(404, "nobody called", get(server, "/api/people/Zo%C3%AB/thumbnail.jpg"));
        assertError(404, "no such unknown face", get(server, "/api/unknowns/99.jpg"));
        assertError(404, "no such frame", get(server, "/api/frames/x.jpg"));
        assertFalse(Gallery.isIn(tmp.resolve("model")), "refused enrolments wrote no gallery");

        // too large: by Content-Length before a byte of the body is sent, and while reading a chunked body
        assertEquals(413, status(raw(server, "POST /api/recognize HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Content-Length: 1000000000\r\n\r\n")));
        assertError(413, "larger than the limit of 5000 bytes", send(server, "POST", "/api/recognize", powell, "image/jpeg"));
        String chunk = "x".repeat(30000);
        String chunked = "POST /api/people/Tony/photos HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk
                + "\r\n0\r\n\r\n";
        String reply = raw(server, chunked);
        assertEquals(413, status(reply));
        assertTrue(reply.contains("{\"error\":\"upload larger than the limit of 5000 bytes"), reply);
    }

    @Test
    void hostileUploadsAreDecodedWithinBoundsOrRefused() throws Exception {
        Server server = serve(tmp.resolve("model"));
        byte[] powell = photo("Colin_Powell", 1);
        assertError(400, "truncated JPEG", send(server, "POST", "/api/recognize", java.util.Arrays.copyOf(powell, powell.length / 2),
                "image/jpeg"));
        // 10,000 x 10,000 grey pixels in 100 KB: decimated while decoding (shorter side kept >= 1080), never held whole
        byte[] bomb = greyPng(10_000, 10_000);
        assertTrue(bomb.length < 200_000, bomb.length + " bytes");
        JsonObject answer = send(server, "POST", "/api/recognize", bomb, "image/png").json();
        assertEquals(10_000, answer.get("width").getAsInt());
        assertEquals(0, answer.getAsJsonArray("faces").size());
        assertEquals(200, get(server, "/api/health").status(), "still serving");
    }

    /** A PNG of {@code w x h} black 8-bit grey pixels, written by hand so that it is never held decoded. */
    private static byte[] greyPng(int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (var z = new java.util.zip.DeflaterOutputStream(idat, new java.util.zip.Deflater(9))) {
            byte[] row = new byte[w + 1];   // filter byte 0, then the row's pixels
            for (int y = 0; y < h; y++) z.write(row);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        var header = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
                .put((byte) 0).array();
        chunk(png, "IHDR", header);
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        var crc = new java.util.zip.CRC32();
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        crc.update(t);
        crc.update(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        png.write(t);
        png.write(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static String raw(Server server, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                got.write(buffer, 0, n);
                String text = got.toString(StandardCharsets.ISO_8859_1);
                if (text.contains("\r\n\r\n") && text.endsWith("}")) break;
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    private static int status(String reply) {
        return Integer.parseInt(reply.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
    }

    @Test
    void aTokenFileGuardsTheApiButNotThePage() throws Exception {
        Path tokenFile = tmp.resolve("secret/token");
        Server server = serve(tmp.resolve("model"), "--token-file", tokenFile.toString());
        String token = Files.readString(tokenFile).strip();
        assertTrue(token.matches("[A-Za-z0-9_-]{43}"), token);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(tokenFile));

        Reply none = get(server, "/api/health");
        assertError(401, "a valid token is required", none);
        assertTrue(none.response().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertError(401, "a valid token is required", get(server, "/api/health", "Authorization", "Bearer " + token.substring(1)));
        assertError(401, "a valid token is required", get(server, "/api/people", "Authorization", "Basic " + token));
        assertError(401, "a valid token is required", send(server, "POST", "/api/recognize", photo("Colin_Powell", 1), "image/jpeg"));
        assertEquals(200, get(server, "/api/health", "Authorization", "Bearer " + token).status());
        assertEquals(200, get(server, "/api/people", "Cookie", "theme=dark; slice_token=" + token).status());
        assertEquals(200, get(server, "/").status(), "the page holds no data");
        server.close();

        Server again = serve(tmp.resolve("model"), "--token-file", tokenFile.toString());
        assertEquals(200, get(again, "/api/health", "Authorization", "Bearer " + token).status(), "the same token on a restart");

        UserError open = assertThrows(UserError.class, () -> serve(tmp.resolve("model"), "--bind", "0.0.0.0"));
        assertTrue(open.getMessage().contains("give --token-file"), open.getMessage());
    }

    @Test
    void aFullQueueIsAnswered503WithRetryAfter() throws Exception {
        Server server = serve(tmp.resolve("model"), "--workers", "1", "--queue", "0");
        // a client that sends its headers and then holds its body back keeps the only permit
        Socket slow = headersOnly(server);
        try {
            Reply busy = null;
            for (long until = System.nanoTime() + 10_000_000_000L; System.nanoTime() < until; Thread.sleep(50)) {
                busy = send(server, "POST", "/api/recognize", "not a photo".getBytes(StandardCharsets.UTF_8), "image/jpeg");
                if (busy.status() == 503) break;
                assertEquals(400, busy.status(), busy.text());
                if (slow.getInputStream().available() > 0) {
                    // On a loaded machine the slow request may ask for the permit while this one holds it: it is then
                    // the one answered 503 (and closed), so a new slow request takes its place, given time to ask first.
                    assertEquals("HTTP/1.1 503", new String(slow.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1));
                    slow.close();
                    slow = headersOnly(server);
                    Thread.sleep(500);
                }
            }
            assertError(503, "busy", busy);
            assertEquals("1", busy.response().headers().firstValue("Retry-After").orElse(""));
            OutputStream out = slow.getOutputStream();
            out.write("not a photo".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String reply = new String(slow.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 400", reply, "the admitted request ran once its body came: not an image");
        } finally {
            slow.close();
        }
        assertEquals(400, send(server, "POST", "/api/recognize", "x".getBytes(StandardCharsets.UTF_8), "image/jpeg").status(),
                "its permit was returned");
    }
}
