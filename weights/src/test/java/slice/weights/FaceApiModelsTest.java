package slice.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import slice.weights.io.SliceCache;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;

/**
 * The face-api.js file list against the copies in {@code shared/data/models/face_api} (byte-identical to the npm
 * package's), and the {@link Downloader} fetching them from a local HTTP server that serves those copies.
 */
@Timeout(60)
class FaceApiModelsTest {
    @TempDir Path cache;

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void sizesAndChecksumsAreThoseOfThePackagesFiles() throws Exception {
        List<RemoteFile> all = FaceApiModels.all();
        assertEquals(8, all.size());
        for (RemoteFile f : all) {
            byte[] bytes = Files.readAllBytes(SharedData.require(TfjsRealFilesTest.DIR + f.fileName()));
            assertEquals(bytes.length, f.size(), f.fileName());
            assertEquals(sha256(bytes), f.sha256(), f.fileName());
            assertEquals(URI.create(FaceApiModels.BASE_URL + f.fileName()), f.url());
        }
        assertEquals(List.of("face_recognition_model-weights_manifest.json", "face_recognition_model.bin"),
                FaceApiModels.files("face_recognition_model").stream().map(RemoteFile::fileName).toList());
    }

    @Test
    void anUnknownModelIsNamed() {
        assertEquals("no face-api.js model 'ssd_mobilenetv1_model' (tiny_face_detector_model, face_landmark_68_model,"
                        + " face_landmark_68_tiny_model, face_recognition_model)",
                assertThrows(WeightsException.class, () -> FaceApiModels.files("ssd_mobilenetv1_model")).getMessage());
    }

    /** A server for the shared copies under {@code /model/}; {@code replaced} serves other bytes for some names. */
    private static HttpServer serve(Map<String, byte[]> replaced) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/model/", (HttpExchange ex) -> {
            String name = ex.getRequestURI().getPath().substring("/model/".length());
            Path file = SharedData.root().resolve(TfjsRealFilesTest.DIR + name);
            byte[] body = replaced.containsKey(name) ? replaced.get(name) : Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        return server;
    }

    private static RemoteFile from(HttpServer server, RemoteFile f) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/model/");
        return RemoteFile.at(base, f.fileName(), f.size(), f.md5(), f.sha256());
    }

    @Test
    void everyModelDownloadsIntoTheFaceApiFolderAndItsManifestFindsItsShard() throws Exception {
        SharedData.require(TfjsRealFilesTest.DIR + "face_recognition_model.bin");
        HttpServer server = serve(Map.of());
        try {
            Downloader d = new Downloader(new SliceCache(cache).faceApiWeights());
            for (String model : FaceApiModels.MODELS) {
                Path manifest = null;
                for (RemoteFile f : FaceApiModels.files(model)) {
                    Path got = d.fetch(from(server, f), Downloader.Progress.NONE);
                    assertEquals(cache.resolve("face_api").resolve(f.fileName()), got);
                    if (manifest == null) manifest = got;
                }
                TfjsWeights w = TfjsWeights.read(manifest);
                assertFalse(w.tensors().isEmpty(), model);
            }
            assertEquals(19, TfjsWeights.read(cache.resolve("face_api/tiny_face_detector_model-weights_manifest.json")).tensors().size());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aServedFileThatIsNotThePackagesIsRejectedAndNotCached() throws Exception {
        byte[] bin = Files.readAllBytes(SharedData.require(TfjsRealFilesTest.DIR + "tiny_face_detector_model.bin"));
        bin[1000] ^= 1;
        HttpServer server = serve(Map.of("tiny_face_detector_model.bin", bin));
        try {
            RemoteFile f = from(server, FaceApiModels.files("tiny_face_detector_model").get(1));
            Downloader d = new Downloader(new SliceCache(cache).faceApiWeights());
            WeightsException e = assertThrows(WeightsException.class, () -> d.fetch(f, Downloader.Progress.NONE));
            assertEquals("the download of " + f.url() + " has SHA-256 " + sha256(bin) + ", expected " + f.sha256()
                    + "; the partial file was deleted, run again to download it afresh", e.getMessage());
            assertFalse(Files.exists(d.location(f)));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void offlineTheMessageSaysWhereToPutTheFile() throws Exception {
        HttpServer server = serve(Map.of());
        RemoteFile f = from(server, FaceApiModels.files("face_landmark_68_model").get(0));
        server.stop(0); // nothing listens on that port any more
        Downloader d = new Downloader(new SliceCache(cache).faceApiWeights());
        String message = assertThrows(WeightsException.class, () -> d.fetch(f, Downloader.Progress.NONE)).getMessage();
        assertTrue(message.startsWith("cannot reach " + f.url()), message);
        assertTrue(message.endsWith("download " + f.url() + " by other means and save it as "
                + cache.resolve("face_api/face_landmark_68_model-weights_manifest.json")), message);
    }
}
