package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;

/** {@code weights list|fetch} against a local mirror serving the real α0.35 file (its SHA-256 is checked on arrival). */
class WeightsCommandTest {
    @TempDir Path tmp;

    static String stdout(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, Cli.execute(args));
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What a mirror serves: the bytes of the file at {@code path} (the request path without its leading '/'). */
    interface MirrorFiles {
        byte[] read(String path) throws IOException;
    }

    /** A local HTTP mirror on a free port answering every request below {@code context} with {@code files}. */
    static HttpServer startMirror(String context, MirrorFiles files) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(context, exchange -> {
            byte[] bytes = files.read(exchange.getRequestURI().getPath().substring(1));
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    /** The mirror's base URL, as {@code --mirror} takes it. */
    static String url(HttpServer mirror) {
        return "http://127.0.0.1:" + mirror.getAddress().getPort() + "/";
    }

    @Test
    void fetchDownloadsVerifiesAndCaches() throws Exception {
        String name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5";
        byte[] bytes = Files.readAllBytes(SharedData.require("models/mobilenet_v2/keras/" + name));
        HttpServer server = startMirror("/mobilenet_v2/" + name, path -> bytes);
        try {
            String mirror = url(server);
            Path cache = tmp.resolve("cache");
            String listed = stdout("weights", "list", "--cache", cache.toString(), "--mirror", mirror);
            assertEquals(62 + 8, listed.lines().count(), "the Keras files, then the face-api.js files:\n" + listed);
            assertTrue(listed.contains(mirror + "mobilenet_v2/" + name), listed);

            String fetched = stdout("weights", "fetch", "--alpha", "0.35", "--size", "224", "--cache", cache.toString(),
                    "--mirror", mirror);
            Path file = cache.resolve("keras").resolve(name);
            assertEquals(file.toString(), fetched.strip());
            assertArrayEquals(bytes, Files.readAllBytes(file));
            assertTrue(stdout("weights", "list", "--cache", cache.toString()).contains("cached " + file));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void fetchFaceApiDownloadsTheFourModelsBesideTheirManifests() throws Exception {
        Path shared = SharedData.require("models/face_api");
        HttpServer server = startMirror("/", path -> Files.readAllBytes(shared.resolve(path)));
        try {
            String mirror = url(server);
            Path cache = tmp.resolve("cache");
            String fetched = stdout("weights", "fetch", "--model", "face-api", "--cache", cache.toString(), "--mirror", mirror);
            Path dir = cache.resolve("face_api");
            List<String> models = List.of("tiny_face_detector_model", "face_landmark_68_model", "face_landmark_68_tiny_model",
                    "face_recognition_model");
            assertEquals(models.stream().map(m -> dir.resolve(m + "-weights_manifest.json").toString()).toList(), fetched.lines().toList());
            for (String name : List.of("face_recognition_model.bin", "tiny_face_detector_model-weights_manifest.json")) {
                assertArrayEquals(Files.readAllBytes(shared.resolve(name)), Files.readAllBytes(dir.resolve(name)), name);
            }
            String listed = stdout("weights", "list", "--cache", cache.toString());
            assertTrue(listed.contains("cached " + dir.resolve("face_landmark_68_tiny_model.bin")), listed);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void offlineFetchSaysWhereToGetTheFile() {
        BadInputTest.Result r = BadInputTest.run("weights", "fetch", "--alpha", "0.5", "--cache", tmp.toString(),
                "--mirror", "http://127.0.0.1:9/");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: cannot reach http://127.0.0.1:9/mobilenet_v2/"), r.err());
        Path expected = tmp.resolve("keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5");
        assertTrue(r.err().strip().endsWith("save it as " + expected), r.err());
    }

    /** A {@code file:} mirror is refused in one line that says where to copy the file instead (HttpClient cannot read it). */
    @Test
    void aFileMirrorSaysToCopyTheFileIntoTheCache() {
        String name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5";
        BadInputTest.assertOneLineError("file:/mnt/weights/mobilenet_v2/" + name + ": only http and https URLs are downloaded; to use a"
                + " file you have, copy it to " + tmp.resolve("keras/" + name),
                "weights", "fetch", "--alpha", "0.5", "--cache", tmp.toString(), "--mirror", "file:/mnt/weights/");
    }
}
