package slice.train.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import slice.engine.SharedData;
import slice.train.FolderLock;
import slice.train.UserError;
import slice.train.camera.CameraLoop;
import slice.weights.Gallery;

/**
 * The model shared by requests and the camera: {@code serve --watch} feeds frames through the same pipeline as the API
 * (an event per frame, named from the gallery enrolled over HTTP); enrolling and forgetting while other clients
 * recognise never fails a request or shows a reader of the folder a broken gallery.
 */
class ServeLiveTest {
    @TempDir Path tmp;

    private ServeCommand command(String... options) {
        List<String> args = new ArrayList<>(List.of("--model", tmp.resolve("model").toString(), "--face-models",
                SharedData.require("models/face_api").toString(), "--port", "0"));
        args.addAll(List.of(options));
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(args.toArray(String[]::new));
        return command;
    }

    @Test
    void watchedFramesBecomeEventsNamedFromTheServedGallery() throws Exception {
        Path frames = Files.createDirectories(tmp.resolve("frames"));
        ServeCommand command = command("--watch", frames.toString());
        try (Server server = command.start()) {
            assertEquals(200, ServeApiTest.send(server, "POST", "/api/people/Colin%20Powell/photos", ServeApiTest.photo("Colin_Powell", 1),
                    "image/jpeg").status());
            CameraLoop loop = command.camera(server.model());
            Thread camera = new Thread(() -> {
                try {
                    loop.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            camera.start();
            HttpRequest sse = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/events")).build();
            HttpResponse<Stream<String>> stream = HttpClient.newHttpClient().send(sse, HttpResponse.BodyHandlers.ofLines());
            Path written = frames.resolve("frame0001.jpg");
            Files.write(frames.resolve("frame0001.jpg.part"), ServeApiTest.photo("Colin_Powell", 4));
            Files.move(frames.resolve("frame0001.jpg.part"), written);
            String data = stream.body().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
            stream.body().close();
            JsonObject event = JsonParser.parseString(data.substring(6)).getAsJsonObject();
            assertEquals(written.toString(), event.get("source").getAsString());
            assertEquals("Colin Powell", event.getAsJsonArray("faces").get(0).getAsJsonObject().get("person").getAsString());
            loop.stop();
            camera.join(10_000);
            assertEquals(1, loop.stats().processed());
        }
    }

    @Test
    void theServedFolderIsLockedUntilTheServerStops() throws Exception {
        Path model = tmp.resolve("model");
        try (Server server = command().start()) {
            UserError refused = assertThrows(UserError.class, () -> FolderLock.acquire(model, "--model"));
            assertTrue(refused.getMessage().contains("another train, enroll, forget or serve is writing into this folder"),
                    refused.getMessage());
            assertThrows(UserError.class, () -> command().start(), "a second server on the same folder");
        }
        FolderLock.acquire(model, "--model").close();
    }

    @Test
    void enrollingAndForgettingWhileRecognisingNeverServesAHalfChangedGallery() throws Exception {
        Path model = tmp.resolve("model");
        try (Server server = command("--workers", "2", "--queue", "8").start()) {
            byte[] powell = ServeApiTest.photo("Colin_Powell", 4);
            AtomicBoolean done = new AtomicBoolean();
            Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                threads.add(new Thread(() -> {
                    try {
                        while (!done.get()) {
                            ServeApiTest.Reply r = ServeApiTest.send(server, "POST", "/api/recognize", powell, "image/jpeg");
                            String answer = r.status() == 200
                                    ? r.json().getAsJsonArray("faces").get(0).getAsJsonObject().get("person").getAsString()
                                    : "status " + r.status();
                            answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.add(new Thread(() -> {
                try {
                    while (!done.get()) if (Gallery.isIn(model)) Gallery.read(model);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
            threads.forEach(Thread::start);
            for (int round = 0; round < 3; round++) {
                ServeApiTest.Reply enrolled = ServeApiTest.send(server, "POST", "/api/people/Colin%20Powell/photos",
                        ServeApiTest.multipart("b", ServeApiTest.photo("Colin_Powell", 1), ServeApiTest.photo("Colin_Powell", 2)),
                        "multipart/form-data; boundary=b");
                assertEquals(200, enrolled.status(), enrolled.text());
                assertEquals(200, ServeApiTest.send(server, "DELETE", "/api/people/Colin%20Powell", null, null).status());
            }
            done.set(true);
            for (Thread t : threads) t.join(60_000);
            assertTrue(failures.isEmpty(), failures.toString());
            System.out.println("answers while the gallery changed: " + answers);
            assertTrue(Set.of("Colin Powell", "unknown", "status 503").containsAll(answers.keySet()), answers.toString());
            assertTrue(answers.values().stream().mapToInt(AtomicInteger::get).sum() >= 2, answers.toString());
            assertEquals(0, Gallery.read(model).people().size());
        }
    }
}
