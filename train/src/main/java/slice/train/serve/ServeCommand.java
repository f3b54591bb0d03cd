package slice.train.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import slice.engine.Parallel;
import slice.train.Cli;
import slice.train.FaceOptions;
import slice.train.FolderLock;
import slice.train.GalleryFolder;
import slice.train.UserError;
import slice.train.camera.CameraLoop;
import slice.train.camera.DirectoryFrames;
import slice.train.camera.FrameProcessor;
import slice.train.camera.FrameSource;
import slice.train.camera.MjpegFrames;
import slice.weights.Gallery;

/** {@code serve}: the recogniser of a gallery folder as a small web service, with its page. */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Serve a recogniser made of enrolled faces over HTTP: a JSON API (recognise, people, enrol, forget, events,",
                "health) and a page at / to enrol people and watch recognitions. Listens on 127.0.0.1 unless --bind says otherwise;",
                "any other address needs --token-file (a token is generated there on first start, mode 0600)."},
        footer = {"", "Example:", "  java -jar train.jar serve --model family",
                "  curl -s --data-binary @photo.jpg -H 'Content-Type: image/jpeg' http://127.0.0.1:8080/api/recognize"})
public final class ServeCommand extends Cli.Task {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder holding the gallery (created on the first enrolment if needed, as enroll does).")
    Path dir;

    @Mixin FaceOptions faces;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; another one needs --token-file).")
    String bind;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port (0: any free one) (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "The token clients must send (Authorization: Bearer …); generated there, mode 0600, when the file is absent.")
    Path tokenFile;

    @Option(names = "--workers", paramLabel = "N",
            description = "Photos recognised at once (default: --threads, i.e. the processors).")
    Integer workers;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "4",
            description = "Requests that may wait for a worker; beyond, 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-upload", paramLabel = "BYTES", defaultValue = "10485760",
            description = "Largest request body (default: ${DEFAULT-VALUE}, 10 MiB); larger ones are refused with 413 before reading.")
    long maxUpload;

    @Option(names = "--stream", description = "Also recognise the JPEG frames streamed on stdin (as predict --stream), shown on the page.")
    boolean stream;

    @Option(names = "--watch", paramLabel = "DIR", description = "Also recognise each new image written into DIR (as predict --watch).")
    Path watch;

    @Override protected int run() throws IOException, InterruptedException {
        if (stream && watch != null) throw new UserError("give --stream or --watch DIR, not both");
        Server server = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "serve-stop"));
        if (stream || watch != null) {
            CameraLoop loop = camera(server.model());
            Runtime.getRuntime().addShutdownHook(loop.shutdownHook());
            loop.run();
        }
        stopped.await();
        return Cli.OK;
    }

    /** Checks the options, loads the networks and the gallery, and starts listening. */
    Server start() throws IOException {
        if (port < 0 || port > 65535) throw new UserError("--port must be in [0, 65535], got " + port);
        if (queue < 0) throw new UserError("--queue must be at least 0, got " + queue);
        if (maxUpload < 1) throw new UserError("--max-upload must be at least 1 byte, got " + maxUpload);
        int n = workers == null ? Parallel.threads() : workers;
        if (n < 1) throw new UserError("--workers must be at least 1, got " + n);
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new UserError("--bind " + bind + ": not an address of this machine");
        }
        if (!address.isLoopbackAddress() && tokenFile == null) {
            throw new UserError("--bind " + bind + " listens beyond this machine: give --token-file FILE (a token is generated"
                    + " there on first start; clients send it as Authorization: Bearer …)");
        }
        String token = tokenFile == null ? null : token(tokenFile);
        GalleryFolder folder = new GalleryFolder(dir);
        FolderLock lock = FolderLock.acquire(dir, "--model");
        try {
            Gallery gallery = folder.open(true);
            ServedModel model = new ServedModel(folder, lock, gallery, faces.galleryRecogniser(gallery), n, queue);
            Server server;
            try {
                server = new Server(new InetSocketAddress(address, port), model, token, maxUpload);
            } catch (IOException e) {
                throw new UserError("cannot listen on " + bind + ":" + port + " (" + e.getMessage() + ")");
            }
            System.out.printf(Locale.ROOT, "serving %s (%d %s) on http://%s:%d/ with %d worker%s, queue %d%s%n", dir,
                    gallery.people().size(), gallery.people().size() == 1 ? "person" : "people", address.getHostAddress(),
                    server.port(), n, n == 1 ? "" : "s", queue, token == null ? "" : "; API requests need the token in " + tokenFile);
            return server;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The token in {@code file}, or a new one written there (mode 0600 where the file system has permissions). */
    static String token(Path file) {
        try {
            if (Files.exists(file)) {
                String token = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (token.length() < 16) throw UserError.about(file, "holds no token of at least 16 characters (delete it to have one generated)");
                return token;
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp;
            try {
                tmp = Files.createTempFile(parent, ".token", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                tmp = Files.createTempFile(parent, ".token", ".tmp");
            }
            Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
            }
            System.out.println("token generated into " + file + " (readable by this user only)");
            return token;
        } catch (FileSystemException e) {
            throw UserError.about(file, "cannot read or write the token file (" + e.getReason() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code --stream} / {@code --watch}: the camera loop (not yet running) whose frames go through the same recogniser
     * as requests (taking a worker like any request), each one published as an event; a line per face is printed, as
     * {@code predict} prints them. When the camera ends, the server goes on serving.
     */
    CameraLoop camera(ServedModel model) {
        FrameSource source = watch != null
                ? new DirectoryFrames(watch, false, DirectoryFrames.DEFAULT_SETTLE, FrameSource.MAX_FRAME_BYTES)
                : new MjpegFrames(System.in, FrameSource.MAX_FRAME_BYTES);
        FrameProcessor recognise = frame -> {
            JsonObject event;
            try {
                event = model.recognise(frame.bytes(), frame.name());
            } catch (HttpError e) {
                throw new IOException(e.getMessage());
            }
            List<String> lines = new ArrayList<>();
            var faces = event.getAsJsonArray("faces");
            for (int i = 0; i < faces.size(); i++) {
                JsonObject f = faces.get(i).getAsJsonObject();
                List<String> box = new ArrayList<>();
                for (JsonElement v : f.getAsJsonArray("box")) box.add(String.valueOf(Math.round(v.getAsDouble())));
                lines.add(String.format(Locale.ROOT, "%s\tface %d/%d\tbox %s\t%s%s", frame.name(), i + 1, faces.size(), String.join(",", box),
                        f.get("person").getAsString(), f.has("distance") ? String.format(Locale.ROOT, "\tdistance %.3f",
                                f.get("distance").getAsDouble()) : ""));
            }
            return lines;
        };
        return new CameraLoop(source, recognise, 1, System.out::println, System.err::println);
    }
}
