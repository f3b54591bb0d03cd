package slice.weights;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import slice.weights.io.AtomicFiles;
import slice.weights.io.SliceCache;

/**
 * Downloads {@link RemoteFile}s into a cache folder, the way a flaky connection on a Raspberry Pi needs it:
 * <ul>
 *   <li>bytes go to {@code <name>.part} first; a transfer that breaks off keeps them, and the next attempt asks only
 *       for the rest ({@code Range: bytes=<have>-}), falling back to a fresh download if the server ignores ranges;</li>
 *   <li>a broken transfer — the connection drops, or no byte arrives for the stall timeout (HttpClient has no read
 *       timeout of its own) — is retried, resuming, up to {@link #ATTEMPTS} times in one call;</li>
 *   <li>the complete file is checked against the known size and published checksum, then renamed to its final name in
 *       one step, so the cache never holds a partial or corrupt file under a real name; its size and SHA-256 are
 *       recorded beside it ({@code <name>.sha256}) and checked on every later use, so a file replaced or edited in the
 *       cache is refused, not loaded;</li>
 *   <li>a failure (offline, HTTP error, checksum) is a one-line {@link WeightsException} saying which URL to fetch by
 *       other means and where to put the file; so is a URL that is not http or https (a {@code file:} mirror: the
 *       file is to be copied into the cache instead).</li>
 * </ul>
 */
public final class Downloader {
    /** Transfers tried per {@link #fetch} call, each resuming where the previous one broke off. */
    public static final int ATTEMPTS = 3;

    /** Receives the running byte count; {@code total} is -1 when neither the registry nor the server says it. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);

        Progress NONE = (done, total) -> { };
    }

    /** How long a transfer may go without receiving a byte before it counts as broken. */
    public static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final HttpClient http;
    private final Duration stallTimeout;

    /** A downloader into {@code dir}, a folder of the cache (e.g. {@link SliceCache#kerasWeights()}). */
    public Downloader(Path dir) {
        this(dir, STALL_TIMEOUT);
    }

    /** A downloader into {@code dir} that gives up on a transfer silent for {@code stallTimeout}. */
    Downloader(Path dir, Duration stallTimeout) {
        this.dir = dir;
        this.stallTimeout = stallTimeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(20)).build();
    }

    /** A downloader into the Keras folder of the {@linkplain SliceCache#standard() configured cache}. */
    public Downloader() {
        this(SliceCache.standard().kerasWeights());
    }

    /** Where {@code file} is (or will be) cached. */
    public Path location(RemoteFile file) {
        return dir.resolve(file.fileName());
    }

    /** The cached copy of {@code file}, or a one-line error telling how to get it: for commands that must not download. */
    public Path cached(RemoteFile file) {
        Path target = location(file);
        if (!Files.isRegularFile(target)) throw new WeightsException(target + " is not there yet: " + howToGet(file));
        return target;
    }

    /**
     * Returns the cached copy of {@code file}, downloading it first if needed. A file already in the cache is checked
     * (size and checksum) and returned; one that fails the check is reported, never silently replaced.
     */
    public Path fetch(RemoteFile file, Progress progress) {
        Path target = location(file);
        if (Files.isRegularFile(target)) {
            try {
                verify(file, target, "the cached file " + target);
                checkRecord(target);
            } catch (WeightsException e) {
                throw new WeightsException(e.getMessage() + "; delete it to download it again", e);
            }
            return target;
        }
        String scheme = String.valueOf(file.url().getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new WeightsException(file.url() + ": only http and https URLs are downloaded; to use a file you have, copy it to "
                    + target);
        }
        Path part = target.resolveSibling(file.fileName() + ".part");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new WeightsException("cannot create the cache folder " + dir + " (" + e + "); set SLICE_CACHE to a writable folder", e);
        }
        IOException lastBreak = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                transfer(file, part, progress);
                lastBreak = null;
                break;
            } catch (BrokenTransfer e) {
                lastBreak = e.reason;
            }
        }
        if (lastBreak != null) {
            throw new WeightsException("download of " + file.url() + " broke off " + ATTEMPTS + " times, last after " + sizeOf(part)
                    + " bytes (" + lastBreak.getMessage() + "); run again to resume, or " + howToGet(file), lastBreak);
        }
        try {
            verify(file, part, "the download of " + file.url());
        } catch (WeightsException e) {
            deleteQuietly(part);
            throw new WeightsException(e.getMessage() + "; the partial file was deleted, run again to download it afresh", e);
        }
        try {
            AtomicFiles.moveIntoPlace(part, target);
        } catch (IOException e) {
            throw new WeightsException("cannot move " + part + " to " + target + " (" + e + ")", e);
        }
        writeRecord(target);
        return target;
    }

    /** The record of a cached file: {@code <name>.sha256} beside it. */
    static Path recordOf(Path cached) {
        return cached.resolveSibling(cached.getFileName() + ".sha256");
    }

    /** {@code bytes <size>} and {@code sha256 <hex>}, one per line: what a cached file must still be on every later use. */
    private static String recordLines(Path file) {
        return "bytes " + sizeOf(file) + "\nsha256 " + Checksums.hex(file, "SHA-256") + "\n";
    }

    private static void writeRecord(Path cached) {
        try {
            AtomicFiles.writeString(recordOf(cached), recordLines(cached));
        } catch (IOException e) {
            throw new WeightsException(recordOf(cached) + ": cannot write (" + e + ")", e);
        }
    }

    /**
     * Checks a cached file against its record: most official files have no published checksum, so the size and
     * SHA-256 recorded when the file arrived are what tells a file replaced or edited since. A file without a record
     * (put there by hand, as the error messages suggest, or cached before records existed) gets one now.
     */
    private static void checkRecord(Path cached) {
        Path record = recordOf(cached);
        if (!Files.isRegularFile(record)) {
            writeRecord(cached);
            return;
        }
        String recorded;
        try {
            recorded = Files.readString(record, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new WeightsException(record + ": cannot read (" + e + ")", e);
        }
        String now = recordLines(cached);
        if (!now.equals(recorded)) {
            throw new WeightsException("the cached file " + cached + " is not the file that arrived (" + now.strip().replace("\n", ", ")
                    + "; " + record.getFileName() + " records " + recorded.strip().replace("\n", ", ") + "): modified or replaced");
        }
    }

    /** A transfer that broke off after the response started: the bytes so far are in the part file. */
    private static final class BrokenTransfer extends Exception {
        final IOException reason;

        BrokenTransfer(IOException cause) {
            super(cause);
            this.reason = cause;
        }
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** One HTTP exchange: appends to {@code part} what the server sends (all of it, or the rest after a Range). */
    private void transfer(RemoteFile file, Path part, Progress progress) throws BrokenTransfer {
        long have = sizeOf(part);
        if (file.size() >= 0 && have == file.size()) return; // complete from an earlier run; only the checks are left
        if (file.size() >= 0 && have > file.size()) {
            deleteQuietly(part);
            have = 0;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(file.url()).timeout(stallTimeout).GET();
        if (have > 0) request.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            String kept = have > 0 ? "; the " + have + " bytes downloaded so far are kept, run again to resume" : "";
            throw new WeightsException("cannot reach " + file.url() + " (" + describe(e) + ")" + kept + "; " + howToGet(file), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeightsException("download of " + file.url() + " was interrupted; run again to resume", e);
        }
        int status = response.statusCode();
        long total = file.size();
        boolean append;
        if (status == 206) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                close(response);
                deleteQuietly(part);
                throw new WeightsException(file.url() + " answered the resume request with range '" + range + "' instead of bytes "
                        + have + "-; the partial file was deleted, run again to download it afresh");
            }
            if (total < 0 && !m.group(3).equals("*")) total = Long.parseLong(m.group(3));
            append = true;
        } else if (status == 200) {
            if (total < 0) total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            append = false; // a server that ignores Range sends the whole file: start over
        } else if (status == 416 && have > 0) {
            close(response);
            deleteQuietly(part); // the part is longer than the file: it belongs to some other version
            throw new BrokenTransfer(new IOException("the partial file was longer than the server's file and was deleted"));
        } else {
            close(response);
            throw new WeightsException("HTTP " + status + " for " + file.url() + "; " + howToGet(file));
        }
        long done = append ? have : 0;
        progress.update(done, total);
        byte[] buf = new byte[1 << 16];
        InputStream body = response.body();
        StallGuard guard = new StallGuard(stallTimeout, body);
        try (guard; InputStream in = body;
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                guard.progressed();
                progress.update(done, total);
            }
        } catch (IOException e) {
            throw new BrokenTransfer(guard.fired() ? new IOException("no data for " + stallTimeout.toMillis() + " ms") : e);
        }
        if (total >= 0 && done < total) throw new BrokenTransfer(new IOException("connection closed at byte " + done + " of " + total));
    }

    /**
     * Closes the response stream when no byte has arrived for the stall timeout: the blocked read then fails with an
     * {@link IOException}, and the transfer counts as broken.
     */
    private static final class StallGuard implements AutoCloseable {
        private final Closeable stream;
        private final long limitNanos;
        private final Thread timer;
        private volatile long lastNanos = System.nanoTime();
        private volatile boolean closed, fired;

        StallGuard(Duration limit, Closeable stream) {
            this.stream = stream;
            this.limitNanos = limit.toNanos();
            this.timer = new Thread(this::watch, "slice-download-stall-guard");
            timer.setDaemon(true);
            timer.start();
        }

        void progressed() { lastNanos = System.nanoTime(); }

        boolean fired() { return fired; }

        private void watch() {
            long tickMillis = Math.max(1, Math.min(1000, limitNanos / 4_000_000));
            try {
                while (!closed && System.nanoTime() - lastNanos <= limitNanos) Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return; // closed while sleeping: the transfer is over
            }
            if (closed) return;
            fired = true;
            try {
                stream.close();
            } catch (IOException ignored) {
                // the reader fails either way; its error is the one reported
            }
        }

        @Override public void close() {
            closed = true;
            timer.interrupt();
        }
    }

    /** Size and checksum checks of a complete file; {@code what} says which file in the message. */
    private static void verify(RemoteFile file, Path path, String what) {
        long size = sizeOf(path);
        if (file.size() >= 0 && size != file.size()) {
            throw new WeightsException(what + " has " + size + " bytes, expected " + file.size());
        }
        if (file.md5() != null) check(what, "MD5", Checksums.hex(path, "MD5"), file.md5());
        if (file.sha256() != null) check(what, "SHA-256", Checksums.hex(path, "SHA-256"), file.sha256());
        if (file.fileName().endsWith(".h5")) checkHdf5(path, what);
    }

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /**
     * Most Keras files have no published checksum, so this catches the usual impostor — an HTML page from a proxy or
     * a login portal, served with status 200 — by the 8-byte signature every HDF5 file (that Keras writes) starts with.
     */
    private static void checkHdf5(Path path, String what) {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new WeightsException(path + ": cannot read (" + e + ")", e);
        }
        if (n >= 8 && Arrays.equals(Arrays.copyOf(head, 8), HDF5_SIGNATURE)) return;
        String start = new String(head, 0, n, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]+", " ").strip();
        throw new WeightsException(what + " is not an HDF5 file (it starts with '" + start + "'): something other than the"
                + " server answered, such as a proxy or login page");
    }

    private static void check(String what, String algorithm, String got, String expected) {
        if (!got.equals(expected.toLowerCase(Locale.ROOT))) {
            throw new WeightsException(what + " has " + algorithm + " " + got + ", expected " + expected);
        }
    }

    /** The way out when this machine cannot download: fetch the URL elsewhere and put the file here. */
    private String howToGet(RemoteFile file) {
        return "download " + file.url() + " by other means and save it as " + location(file);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            throw new WeightsException(p + ": cannot read (" + e + ")", e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stale part file is re-checked (size, range) on the next run
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // nothing to read from a refused response
        }
    }
}
