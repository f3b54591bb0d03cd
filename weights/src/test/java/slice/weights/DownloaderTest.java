package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import slice.engine.SmallDisk;
import slice.weights.io.SliceCache;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Downloader} against a local HTTP server on 127.0.0.1 that can honour or ignore Range and break transfers. */
@Timeout(60)
class DownloaderTest {
    @TempDir Path cache;
    private final byte[] content = new byte[300_000];
    private HttpServer server;
    /** The Range header of each request, or "" when there was none. */
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    /** How many of the next responses break off after {@link #breakAfter} body bytes. */
    private final AtomicInteger breaksLeft = new AtomicInteger();
    private final AtomicLong breakAfter = new AtomicLong(100_000);
    /** How many of the next responses go silent after {@link #breakAfter} body bytes (for two seconds, then drop). */
    private final AtomicInteger stallsLeft = new AtomicInteger();
    private volatile boolean honourRange = true;

    @BeforeEach
    void start() throws IOException {
        new Random(42).nextBytes(content);
        byte[] hdf5Signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
        System.arraycopy(hdf5Signature, 0, content, 0, 8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/w/", this::serve);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serve(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        if (ex.getRequestURI().getPath().equals("/w/portal.h5")) {
            byte[] page = "<!DOCTYPE html>\n<html><title>Sign in to Wi-Fi</title></html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/w/model.h5")) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        int from = 0;
        if (range != null && honourRange) {
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            if (from >= content.length) {
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            ex.sendResponseHeaders(206, content.length - from);
        } else {
            ex.sendResponseHeaders(200, content.length);
        }
        OutputStream out = ex.getResponseBody();
        if (breaksLeft.getAndDecrement() > 0) {
            out.write(content, from, (int) Math.min(content.length - from, breakAfter.get()));
            out.flush();
            // a handler that throws makes the server drop the connection mid-body: the broken transfer we want
            throw new IOException("transfer cut short on purpose");
        }
        if (stallsLeft.getAndDecrement() > 0) {
            out.write(content, from, (int) Math.min(content.length - from, breakAfter.get()));
            out.flush();
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stalled on purpose");
        }
        out.write(content, from, content.length - from);
        out.close();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/w/");
    }

    private RemoteFile file(String md5, String sha256) {
        return RemoteFile.at(base(), "model.h5", content.length, md5, sha256);
    }

    private String digest(String algorithm) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
    }

    /** A full disk is not a broken transfer: it is reported at once, naming the file it could not write. */
    @Test
    void aFullDiskNamesThePartFileAndIsNotRetried() throws Exception {
        try (SmallDisk small = SmallDisk.mount(cache.resolve("disk"), 64)) {
            Path disk = small.folder();
            WeightsException e = assertThrows(WeightsException.class,
                    () -> new Downloader(new SliceCache(disk).kerasWeights()).fetch(file(digest("MD5"), null), Downloader.Progress.NONE));
            assertEquals(disk.resolve("keras/model.h5.part") + ": cannot write (No space left on device)", e.getMessage());
            assertEquals(1, ranges.size(), "one request");
        }
    }

    @Test
    void downloadsVerifiesAndReportsProgress() throws Exception {
        List<long[]> updates = new CopyOnWriteArrayList<>();
        Downloader d = new Downloader(new SliceCache(cache).kerasWeights());
        Path got = d.fetch(file(digest("MD5"), digest("SHA-256")), (done, total) -> updates.add(new long[] {done, total}));
        assertEquals(cache.resolve("keras/model.h5"), got);
        assertArrayEquals(content, Files.readAllBytes(got));
        assertArrayEquals(new long[] {content.length, content.length}, updates.get(updates.size() - 1));
        assertFalse(Files.exists(cache.resolve("keras/model.h5.part")));
        assertEquals(got, d.fetch(file(digest("MD5"), null), Downloader.Progress.NONE), "a cached file is returned");
        assertEquals(1, ranges.size(), "the cached file was not downloaded again");
    }

    @Test
    void brokenTransferResumesWithARangeRequest() throws Exception {
        breaksLeft.set(1);
        Path got = new Downloader(new SliceCache(cache).kerasWeights()).fetch(file(digest("MD5"), null), Downloader.Progress.NONE);
        assertArrayEquals(content, Files.readAllBytes(got));
        assertEquals(2, ranges.size());
        assertEquals("", ranges.get(0));
        assertTrue(ranges.get(1).matches("bytes=[1-9]\\d*-"), ranges.get(1));
    }

    @Test
    void transferThatKeepsBreakingKeepsItsPartForTheNextRun() throws Exception {
        breakAfter.set(50_000);
        breaksLeft.set(Downloader.ATTEMPTS);
        Downloader d = new Downloader(new SliceCache(cache).kerasWeights());
        RemoteFile f = file(null, digest("SHA-256"));
        WeightsException e = assertThrows(WeightsException.class, () -> d.fetch(f, Downloader.Progress.NONE));
        assertTrue(e.getMessage().startsWith("download of " + f.url() + " broke off 3 times, last after "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; run again to resume, or download " + f.url() + " by other means and save it as "
                + cache.resolve("keras/model.h5")), e.getMessage());
        long part = Files.size(cache.resolve("keras/model.h5.part"));
        assertTrue(part > 0 && part < content.length, "part holds " + part);
        assertArrayEquals(content, Files.readAllBytes(d.fetch(f, Downloader.Progress.NONE)));
        assertEquals("bytes=" + part + "-", ranges.get(3));
    }

    @Test
    void silentTransferCountsAsBrokenAndResumes() throws Exception {
        stallsLeft.set(1);
        long start = System.nanoTime();
        Path got = new Downloader(new SliceCache(cache).kerasWeights(), Duration.ofMillis(300)).fetch(file(digest("MD5"), null), Downloader.Progress.NONE);
        assertArrayEquals(content, Files.readAllBytes(got));
        assertEquals(List.of("", "bytes=100000-"), ranges);
        assertTrue(System.nanoTime() - start < 1_900_000_000L, "gave up on the stalled transfer before the server dropped it");
    }

    @Test
    void serverIgnoringRangeStartsOver() throws Exception {
        honourRange = false;
        Files.createDirectories(cache.resolve("keras"));
        Files.write(cache.resolve("keras/model.h5.part"), new byte[] {1, 2, 3});
        Path got = new Downloader(new SliceCache(cache).kerasWeights()).fetch(file(digest("MD5"), null), Downloader.Progress.NONE);
        assertArrayEquals(content, Files.readAllBytes(got));
        assertEquals(List.of("bytes=3-"), ranges);
    }

    @Test
    void wrongChecksumDeletesThePartAndSaysSo() throws Exception {
        RemoteFile f = file("00000000000000000000000000000000", null);
        WeightsException e = assertThrows(WeightsException.class, () -> new Downloader(new SliceCache(cache).kerasWeights()).fetch(f, Downloader.Progress.NONE));
        assertEquals("the download of " + f.url() + " has MD5 " + digest("MD5") + ", expected 00000000000000000000000000000000;"
                + " the partial file was deleted, run again to download it afresh", e.getMessage());
        assertFalse(Files.exists(cache.resolve("keras/model.h5.part")));
        assertFalse(Files.exists(cache.resolve("keras/model.h5")));
    }

    @Test
    void htmlPageInsteadOfTheFileIsRecognised() {
        RemoteFile f = RemoteFile.at(base(), "portal.h5", -1, null, null);
        WeightsException e = assertThrows(WeightsException.class, () -> new Downloader(new SliceCache(cache).kerasWeights()).fetch(f, Downloader.Progress.NONE));
        assertEquals("the download of " + f.url() + " is not an HDF5 file (it starts with '<!DOCTYPE html> <html><title>Sign in to"
                + " Wi-Fi</title></html>'): something other than the server answered, such as a proxy or login page;"
                + " the partial file was deleted, run again to download it afresh", e.getMessage());
        assertFalse(Files.exists(cache.resolve("keras/portal.h5")));
    }

    @Test
    void corruptCachedFileIsReportedNotReplaced() throws Exception {
        Files.createDirectories(cache.resolve("keras"));
        Path cached = Files.write(cache.resolve("keras/model.h5"), new byte[content.length]);
        WeightsException e = assertThrows(WeightsException.class,
                () -> new Downloader(new SliceCache(cache).kerasWeights()).fetch(file(digest("MD5"), null), Downloader.Progress.NONE));
        assertTrue(e.getMessage().startsWith("the cached file " + cached + " has MD5 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; delete it to download it again"), e.getMessage());
        assertTrue(ranges.isEmpty());
    }

    @Test
    void missingFileIsAnHttpErrorWithTheWayOut() {
        RemoteFile f = RemoteFile.at(base(), "nothing.h5", -1, null, null);
        WeightsException e = assertThrows(WeightsException.class, () -> new Downloader(new SliceCache(cache).kerasWeights()).fetch(f, Downloader.Progress.NONE));
        assertEquals("HTTP 404 for " + f.url() + "; download " + f.url() + " by other means and save it as "
                + cache.resolve("keras/nothing.h5"), e.getMessage());
    }

    @Test
    void unreachableServerSaysWhichUrlToFetchAndWhereToPutIt() {
        RemoteFile f = file(null, null);
        server.stop(0);
        WeightsException e = assertThrows(WeightsException.class, () -> new Downloader(new SliceCache(cache).kerasWeights()).fetch(f, Downloader.Progress.NONE));
        assertTrue(e.getMessage().startsWith("cannot reach " + f.url() + " (ConnectException"), e.getMessage());
        assertTrue(e.getMessage().endsWith("); download " + f.url() + " by other means and save it as " + cache.resolve("keras/model.h5")),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void cachedFileLookupWithoutDownloading() throws Exception {
        Downloader d = new Downloader(new SliceCache(cache).kerasWeights());
        RemoteFile f = file(null, null);
        WeightsException e = assertThrows(WeightsException.class, () -> d.cached(f));
        assertEquals(cache.resolve("keras/model.h5") + " is not there yet: download " + f.url() + " by other means and save it as "
                + cache.resolve("keras/model.h5"), e.getMessage());
        d.fetch(f, Downloader.Progress.NONE);
        assertEquals(cache.resolve("keras/model.h5"), d.cached(f));
    }

    /**
     * A file without a published checksum: its size and SHA-256 are recorded on arrival, and a cached file replaced
     * since by one of the same size is refused on the next use; a file put in the cache by hand is recorded on its
     * first use and held to that afterwards.
     */
    @Test
    void aCachedFileIsHeldToTheSizeAndHashRecordedOnArrival() throws Exception {
        Downloader d = new Downloader(new SliceCache(cache).kerasWeights());
        Path got = d.fetch(file(null, null), Downloader.Progress.NONE);
        Path record = cache.resolve("keras/model.h5.sha256");
        assertEquals("bytes " + content.length + "\nsha256 " + digest("SHA-256") + "\n", Files.readString(record));
        assertEquals(got, d.fetch(file(null, null), Downloader.Progress.NONE), "the file as it arrived is used");

        byte[] other = content.clone();
        other[content.length / 2] ^= 1;
        Files.write(got, other);
        WeightsException e = assertThrows(WeightsException.class, () -> d.fetch(file(null, null), Downloader.Progress.NONE));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(other));
        assertEquals("the cached file " + got + " is not the file that arrived (bytes " + content.length + ", sha256 " + sha
                + "; model.h5.sha256 records bytes " + content.length + ", sha256 " + digest("SHA-256")
                + "): modified or replaced; delete it to download it again", e.getMessage());
        assertEquals(1, ranges.size(), "nothing downloaded again");

        Files.delete(record);
        assertEquals(got, d.fetch(file(null, null), Downloader.Progress.NONE), "a file without a record is recorded on first use");
        assertTrue(Files.readString(record).endsWith("sha256 " + sha + "\n"));
        Files.write(got, content);
        assertThrows(WeightsException.class, () -> d.fetch(file(null, null), Downloader.Progress.NONE));
    }
}
