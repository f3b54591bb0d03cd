package slice.train.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import slice.engine.Parallel;
import slice.engine.Simd;
import slice.train.GalleryFolder;
import slice.weights.Gallery;

/**
 * The HTTP side of {@code serve}, on the JDK's own server ({@code com.sun.net.httpserver}, module
 * {@code jdk.httpserver}): the page at {@code /} and the JSON API under {@code /api/}.
 *
 * <pre>
 *   POST   /api/recognize                 a JPEG/PNG body or multipart/form-data → every face (see ServedModel#recognise)
 *   GET    /api/people                    {people [{name, photos, thumbnail}], threshold, threshold_rule}
 *   GET    /api/people/{name}/thumbnail.jpg
 *   POST   /api/people/{name}/photos      enrol: a photo body or multipart (one or more files)
 *   DELETE /api/people/{name}             forget
 *   GET    /api/events                    Server-Sent Events: recent recognitions, then each new one
 *   GET    /api/frames/{event}.jpg        the (downscaled) photo of a recent event
 *   GET    /api/unknowns                  the unknown faces kept, newest first; /api/unknowns/{id}.jpg each one's face
 *   GET    /api/health                    model, describer, people, vector width, threads, frames per second, heap
 * </pre>
 * Errors are {@code {"error": "..."}} with 400 (bad photo, name or request), 401 (token), 403 (a change asked by
 * another site's page: its {@code Origin} is not this server), 404, 405 (with
 * {@code Allow}), 413 (upload over the limit), 503 (busy, with {@code Retry-After}); an unexpected failure is a 500
 * with a fixed message (its trace goes to the server's stderr, never to the client).
 *
 * <p>With a token, every {@code /api/} request must carry {@code Authorization: Bearer <token>} (or the page's
 * {@code slice_token} cookie); the token is compared in constant time. The page itself (static HTML and script, no
 * data) is served to anyone who can connect.
 */
public final class Server implements AutoCloseable {
    private static final String JSON = "application/json; charset=utf-8";
    private static final List<String> PAGE = List.of("index.html", "app.js", "style.css");

    private final HttpServer http;
    private final ExecutorService threads;
    private final ServedModel model;
    private final byte[] tokenHash;
    private final long maxUpload;
    private final long started = System.nanoTime();

    /**
     * Listens on {@code address} (port 0: any free port).
     *
     * @param token     the bearer token every API request must carry, or {@code null} for none (loopback only)
     * @param maxUpload the largest request body, in bytes
     */
    Server(InetSocketAddress address, ServedModel model, String token, long maxUpload) throws IOException {
        this.model = model;
        this.tokenHash = token == null ? null : sha256(token);
        this.maxUpload = maxUpload;
        this.http = HttpServer.create(address, 64);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "serve-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    ServedModel model() {
        return model;
    }

    /** Stops listening, ends the request threads, then releases the model folder's lock. */
    @Override public void close() {
        http.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            model.close();
        } catch (IOException e) {
            System.err.println("warning: releasing the lock of the served folder: " + e.getMessage());
        }
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (HttpError e) {
                error(exchange, e);
            } catch (IOException e) {
                // A broken body or a client gone away: answered if it is still there.
                error(exchange, HttpError.badRequest("could not read the request (" + e.getClass().getSimpleName() + ")"));
            } catch (RuntimeException e) {
                System.err.println("error: serve: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                        + " failed: " + e);
                e.printStackTrace();
                error(exchange, new HttpError(500, "internal error (logged on the server)"));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        if (!path.startsWith("/api/")) {
            String file = path.equals("/") ? "index.html" : path.substring(1);
            if (!PAGE.contains(file)) throw HttpError.notFound("no such page: " + path);
            allow(method, "GET");
            page(exchange, file);
            return;
        }
        authorise(exchange);
        sameOrigin(exchange, method);
        String[] parts = path.substring("/api/".length()).split("/", -1);
        switch (parts[0]) {
            case "recognize" -> {
                if (parts.length != 1) throw HttpError.notFound("no such resource: " + path);
                allow(method, "POST");
                recognise(exchange);
            }
            case "people" -> people(exchange, method, parts, path);
            case "events" -> {
                if (parts.length != 1) throw HttpError.notFound("no such resource: " + path);
                allow(method, "GET");
                events(exchange);
            }
            case "frames" -> {
                allow(method, "GET");
                byte[] frame = parts.length == 2 ? model.events.frame(id(parts[1], ".jpg")) : null;
                if (frame == null) throw HttpError.notFound("no such frame (only the last " + Events.FRAMES + " are kept)");
                send(exchange, 200, "image/jpeg", frame);
            }
            case "unknowns" -> unknowns(exchange, method, parts, path);
            case "health" -> {
                allow(method, "GET");
                json(exchange, 200, health());
            }
            default -> throw HttpError.notFound("no such resource: " + path);
        }
    }

    private void people(HttpExchange exchange, String method, String[] parts, String path) throws IOException {
        if (parts.length == 1) {
            allow(method, "GET");
            json(exchange, 200, peopleJson(model.gallery()));
            return;
        }
        String name = decode(parts[1]);
        if (parts.length == 2) {
            allow(method, "DELETE");
            Gallery.Person p = model.forget(name);
            JsonObject out = new JsonObject();
            out.addProperty("forgotten", p.name());
            out.addProperty("photos", p.photos().size());
            out.addProperty("people", model.gallery().people().size());
            json(exchange, 200, out);
        } else if (parts.length == 3 && parts[2].equals("photos")) {
            allow(method, "POST");
            enrol(exchange, name);
        } else if (parts.length == 3 && parts[2].equals("thumbnail.jpg")) {
            allow(method, "GET");
            Gallery.Person p = model.gallery().person(validName(name));
            if (p == null) throw HttpError.notFound("nobody called '" + name + "' is enrolled");
            for (Gallery.Photo photo : p.photos()) {
                try {
                    send(exchange, 200, "image/jpeg", Files.readAllBytes(model.folder().thumbnail(photo.sha256())));
                    return;
                } catch (NoSuchFileException e) {
                    // enrolled before thumbnails were kept: try the next photo
                }
            }
            throw HttpError.notFound("no thumbnail of " + p.name());
        } else {
            throw HttpError.notFound("no such resource: " + path);
        }
    }

    private void unknowns(HttpExchange exchange, String method, String[] parts, String path) throws IOException {
        allow(method, "GET");
        if (parts.length == 1) {
            JsonArray list = new JsonArray();
            for (Events.Unknown u : model.events.unknowns()) {
                JsonObject o = new JsonObject();
                o.addProperty("id", u.id());
                o.addProperty("event", u.event());
                o.addProperty("time", java.time.Instant.ofEpochMilli(u.epochMillis()).toString());
                if (u.nearest() != null) {
                    o.addProperty("nearest", u.nearest());
                    o.addProperty("distance", Math.round(u.distance() * 1000) / 1000.0);
                }
                o.addProperty("thumbnail", "/api/unknowns/" + u.id() + ".jpg");
                list.add(o);
            }
            JsonObject out = new JsonObject();
            out.add("unknowns", list);
            json(exchange, 200, out);
            return;
        }
        Events.Unknown u = parts.length == 2 ? model.events.unknown(id(parts[1], ".jpg")) : null;
        if (u == null) throw HttpError.notFound("no such unknown face (only the last " + Events.UNKNOWNS + " are kept): " + path);
        send(exchange, 200, "image/jpeg", u.jpeg());
    }

    private void recognise(HttpExchange exchange) throws IOException {
        model.admit();
        try {
            List<Uploads.Photo> photos = Uploads.photos(exchange, maxUpload);
            if (photos.size() != 1) throw HttpError.badRequest("send one photo to recognise, got " + photos.size());
            json(exchange, 200, model.recognise(photos.get(0).bytes(), "api"));
        } finally {
            model.release();
        }
    }

    private void enrol(HttpExchange exchange, String name) throws IOException {
        validName(name);
        model.admit();
        try {
            GalleryFolder.Enrolled done = model.enrol(name, Uploads.photos(exchange, maxUpload));
            JsonObject out = new JsonObject();
            out.addProperty("person", done.person());
            out.addProperty("added", done.added());
            JsonArray photos = new JsonArray();
            for (GalleryFolder.Outcome o : done.outcomes()) {
                JsonObject p = new JsonObject();
                p.addProperty("photo", o.label());
                p.addProperty("result", o.fate().name().toLowerCase(Locale.ROOT));
                if (o.faces() > 0) p.addProperty("faces", o.faces());
                if (o.owner() != null) p.addProperty("enrolled_as", o.owner());
                photos.add(p);
            }
            out.add("photos", photos);
            out.addProperty("people", done.gallery().people().size());
            json(exchange, 200, out);
        } finally {
            model.release();
        }
    }

    private void events(HttpExchange exchange) throws IOException {
        Events.Subscriber s = model.events.subscribe();
        if (s == null) throw new HttpError(503, "too many event subscribers (" + Events.SUBSCRIBERS + ")", 5, null);
        try {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            long after = lastEventId(exchange);
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            for (Events.Event e : model.events.since(after)) write(out, e);
            out.flush();
            while (!s.dropped) {
                Events.Event e = s.queue.poll(15, TimeUnit.SECONDS);
                if (e == null) out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                else if (e.id() > after) write(out, e);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            model.events.unsubscribe(s);
        }
    }

    private static long lastEventId(HttpExchange exchange) {
        String last = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        try {
            return last == null ? 0 : Long.parseLong(last.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void write(OutputStream out, Events.Event e) throws IOException {
        out.write(("id: " + e.id() + "\nevent: recognition\ndata: " + e.json() + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private JsonObject health() {
        Gallery g = model.gallery();
        JsonObject out = new JsonObject();
        out.addProperty("status", "ok");
        out.addProperty("model", model.folder().dir().toAbsolutePath().getFileName().toString());
        out.addProperty("backbone", Gallery.DESCRIBER + ", after face-api.js's Tiny Face Detector and 68-point landmarks");
        out.addProperty("people", g.people().size());
        out.addProperty("photos", g.people().stream().mapToInt(p -> p.photos().size()).sum());
        out.addProperty("threshold", g.threshold());
        out.addProperty("vector", Simd.describe());
        out.addProperty("threads", Parallel.threads());
        out.addProperty("workers", model.workers);
        out.addProperty("queue", model.queue);
        out.addProperty("frames_per_second", Math.round(model.events.framesPerSecond(started) * 100) / 100.0);
        out.addProperty("uptime_seconds", (System.nanoTime() - started) / 1_000_000_000L);
        long used = 0, peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP) continue;
            used += pool.getUsage().getUsed();
            peak += pool.getPeakUsage().getUsed();
        }
        out.addProperty("heap_used_mb", used >> 20);
        out.addProperty("heap_peak_mb", peak >> 20);   // each heap pool's own peak, summed: an upper bound
        out.addProperty("heap_max_mb", Runtime.getRuntime().maxMemory() >> 20);
        return out;
    }

    private static JsonObject peopleJson(Gallery g) {
        JsonArray people = new JsonArray();
        for (Gallery.Person p : g.people()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", p.name());
            o.addProperty("photos", p.photos().size());
            o.addProperty("thumbnail", "/api/people/" + URLEncoder.encode(p.name(), StandardCharsets.UTF_8).replace("+", "%20")
                    + "/thumbnail.jpg");
            people.add(o);
        }
        JsonObject out = new JsonObject();
        out.add("people", people);
        out.addProperty("threshold", g.threshold());
        out.addProperty("threshold_rule", g.thresholdRule());
        return out;
    }

    // ---- plumbing ----

    private void authorise(HttpExchange exchange) {
        if (tokenHash == null) return;
        String given = null;
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) given = header.substring(7).strip();
        String cookies = exchange.getRequestHeaders().getFirst("Cookie");
        if (given == null && cookies != null) {
            for (String c : cookies.split(";")) {
                String kv = c.strip();
                if (kv.startsWith("slice_token=")) given = kv.substring("slice_token=".length());
            }
        }
        if (given == null || !MessageDigest.isEqual(sha256(given), tokenHash)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"slice\"");
            throw new HttpError(401, "a valid token is required: Authorization: Bearer <the token in --token-file>");
        }
    }

    /**
     * Refuses (403) a request that changes something when a browser says it comes from another site's page
     * ({@code Origin} naming another host than {@code Host}): a form on any web page could otherwise post to a server
     * on the visitor's own loopback address. Clients that are not browsers send no {@code Origin}.
     */
    private static void sameOrigin(HttpExchange exchange, String method) {
        if (method.equals("GET") || method.equals("HEAD")) return;
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin != null && !origin.replaceFirst("^https?://", "").equalsIgnoreCase(host)) {
            throw new HttpError(403, "cross-origin request refused (Origin " + origin + ")");
        }
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) throw HttpError.methodNotAllowed(allowed);
    }

    /** A path segment, percent-decoded as UTF-8 ({@code +} stays a plus). */
    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("bad percent-encoding in the path");
        }
    }

    private static String validName(String name) {
        try {
            return GalleryFolder.personName(name);
        } catch (RuntimeException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }

    private static long id(String segment, String suffix) {
        if (!segment.endsWith(suffix)) return -1;
        try {
            return Long.parseLong(segment.substring(0, segment.length() - suffix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void page(HttpExchange exchange, String file) throws IOException {
        try (InputStream in = Server.class.getResourceAsStream(file)) {
            if (in == null) throw HttpError.notFound("no such page: " + file);
            String type = file.endsWith(".html") ? "text/html; charset=utf-8"
                    : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void json(HttpExchange exchange, int status, JsonObject body) throws IOException {
        send(exchange, status, JSON, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void error(HttpExchange exchange, HttpError e) {
        try {
            if (e.retryAfterSeconds > 0) exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds));
            if (e.allow != null) exchange.getResponseHeaders().set("Allow", e.allow);
            if (e.status == 413 || e.status == 503) exchange.getResponseHeaders().set("Connection", "close");
            JsonObject body = new JsonObject();
            body.addProperty("error", e.getMessage());
            json(exchange, e.status, body);
        } catch (IOException | RuntimeException ignored) {
            // Headers already sent (a stream that failed midway) or the client is gone: nothing more to say.
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        // Closing the response stream sends the answer now. The exchange's own close first drains an unread request
        // body, and on Java 25 (not 17) that drain comes before the flush: a client that sent a Content-Length without
        // the body (refused with 413 unread) would wait for an answer that never comes (ServeApiTest on Java 25).
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
