package slice.bench.research;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bounded load test of {@code serve}: {@code CLIENTS} threads each post {@code PHOTO} to {@code URL/api/recognize}
 * one request after another, first for {@value #WARM_UP_SECONDS} s of warm-up (not counted: the server's JIT compiles),
 * then for {@code SECONDS} (a client answered 503 pauses 100 ms before its next request); it prints requests per second (answered 200), the p50 and p99
 * latency of those, the count of each status, and the server's heap (peak and now, from {@code /api/health}).
 * Exit code 1 if any status other than 200 or 503 (busy: the bounded queue) was answered.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar slice.bench.research.ServeLoad URL PHOTO CLIENTS SECONDS [TOKEN]
 * </pre>
 */
public final class ServeLoad {
    static final double WARM_UP_SECONDS = 5;

    private ServeLoad() { }

    /** Latencies (ns) of the 200 answers and the count of each status, of one phase. */
    private record Phase(long[] latencies, Map<Integer, Integer> statuses, double seconds) { }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ServeLoad URL PHOTO CLIENTS SECONDS [TOKEN]");
            System.exit(2);
        }
        String url = args[0].replaceAll("/+$", "");
        byte[] photo = Files.readAllBytes(Path.of(args[1]));
        int clients = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        String token = args.length > 4 ? args[4] : null;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        run(http, url, photo, clients, WARM_UP_SECONDS, token);
        Phase p = run(http, url, photo, clients, seconds, token);
        long[] nanos = p.latencies();
        Map<Integer, Integer> statuses = p.statuses();
        double elapsed = p.seconds();
        HttpRequest.Builder h = HttpRequest.newBuilder(URI.create(url + "/api/health"));
        if (token != null) h.header("Authorization", "Bearer " + token);
        JsonObject health = JsonParser.parseString(http.send(h.build(), HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject();
        System.out.printf(Locale.ROOT, "%d clients, %.1f s, server threads %s, workers %s: %.1f requests/s answered 200;"
                + " latency p50 %.0f ms, p99 %.0f ms; statuses %s; server heap peak %s MB (now %s MB, limit %s MB)%n", clients, elapsed,
                health.get("threads"), health.get("workers"), nanos.length / elapsed, percentile(nanos, 50), percentile(nanos, 99), statuses,
                health.get("heap_peak_mb"), health.get("heap_used_mb"), health.get("heap_max_mb"));
        boolean unexpected = statuses.keySet().stream().anyMatch(s -> s != 200 && s != 503);
        System.exit(unexpected ? 1 : 0);
    }

    private static Phase run(HttpClient http, String url, byte[] photo, int clients, double seconds, String token)
            throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/api/recognize")).timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(photo));
                    if (token != null) b.header("Authorization", "Bearer " + token);
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    long took = System.nanoTime() - t0;
                    statuses.merge(status, 1, Integer::sum);
                    if (status == 200) latencies.add(took);
                    if (status == 503) sleepQuietly(100);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Phase(sorted, statuses, (System.nanoTime() - start) / 1e9);
    }

    /** The {@code p}-th percentile (nearest rank) of sorted nanoseconds, in milliseconds; NaN when empty. */
    static double percentile(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, rank - 1)] / 1e6;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
