package slice.train.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import slice.models.face.Box;
import slice.models.face.Point;
import slice.train.FolderLock;
import slice.train.GalleryFolder;
import slice.train.GalleryRecogniser;
import slice.train.UserError;
import slice.train.data.FaceIndex;
import slice.train.data.ImageDecoder;
import slice.train.data.RgbImage;
import slice.weights.Gallery;

/**
 * The recogniser that every request and the camera share.
 *
 * <ul>
 *   <li>Networks: {@code workers} copies of one {@link GalleryRecogniser} (they share the weights; each holds its own
 *       activations), lent to one request at a time: at most {@code workers} photos are computed at once.</li>
 *   <li>Admission: a request that computes (recognise, enrol) first takes one of {@code workers + queue} permits, before
 *       its body is read; without one it is answered 503 with {@code Retry-After} at once. So at most that many
 *       bodies are held in memory, whatever the number of clients.</li>
 *   <li>The gallery: an immutable {@link Gallery} behind one reference (read-copy-update). A recognition reads the
 *       reference once and uses that gallery throughout; an enrolment or a forget (one at a time) computes the new
 *       gallery, writes it atomically to the folder ({@link GalleryFolder}: the same code as {@code enroll} and
 *       {@code forget}) and only then swaps the reference. No request ever sees a half-changed gallery.</li>
 *   <li>The folder: locked ({@link FolderLock}) from start to {@link #close}, so a command-line {@code enroll} or
 *       {@code forget} cannot change it behind the server's gallery; they are refused in one line while it serves.</li>
 * </ul>
 */
final class ServedModel {
    /** The longer side of the frame kept with each event, for the page. */
    static final int FRAME_SIZE = 640;

    private final GalleryFolder folder;
    private final FolderLock lock;
    private final AtomicReference<Gallery> gallery;
    private final BlockingQueue<GalleryRecogniser> recognisers;
    private final Semaphore admission;
    private final Object changes = new Object();
    final Events events = new Events();
    final int workers, queue;

    ServedModel(GalleryFolder folder, FolderLock lock, Gallery gallery, GalleryRecogniser recogniser, int workers, int queue) {
        this.folder = folder;
        this.lock = lock;
        this.gallery = new AtomicReference<>(gallery);
        this.workers = workers;
        this.queue = queue;
        this.recognisers = new ArrayBlockingQueue<>(workers);
        recognisers.add(recogniser);
        for (int i = 1; i < workers; i++) recognisers.add(recogniser.copy());
        this.admission = new Semaphore(workers + queue);
    }

    /** Releases the folder's lock. */
    void close() throws IOException {
        lock.close();
    }

    Gallery gallery() {
        return gallery.get();
    }

    GalleryFolder folder() {
        return folder;
    }

    /** Takes an admission permit, or throws 503; the caller releases it with {@link #release()}. */
    void admit() {
        if (!admission.tryAcquire()) throw HttpError.busy();
    }

    void release() {
        admission.release();
    }

    /** A unit of work on a lent recogniser. */
    @FunctionalInterface
    interface Work<T> {
        T run(GalleryRecogniser recogniser) throws IOException;
    }

    private <T> T withRecogniser(Work<T> work) throws IOException {
        GalleryRecogniser r;
        try {
            r = recognisers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "shutting down");
        }
        try {
            return work.run(r);
        } finally {
            recognisers.add(r);
        }
    }

    /**
     * Every face of the photo in {@code bytes}, as the event JSON that is also published: {@code id}, {@code time},
     * {@code source}, {@code width}, {@code height} (the photo's pixels, in which boxes and landmarks are given),
     * {@code faces [{box [x, y, w, h], person | "unknown", score, distance, nearest, landmarks [[x, y] × 68],
     * unknown_id}]}, {@code ms}. An undecodable photo is a 400.
     */
    JsonObject recognise(byte[] bytes, String source) throws IOException {
        long start = System.nanoTime();
        ImageDecoder.Scaled photo;
        try {
            photo = FaceIndex.decodePhoto(bytes);
        } catch (IOException e) {
            throw HttpError.badRequest(source + ": " + e.getMessage());
        }
        Gallery now = gallery.get();
        List<GalleryRecogniser.Answer> answers = withRecogniser(r -> r.with(now).recognise(photo.image()));
        long id = events.nextEventId();
        JsonObject event = new JsonObject();
        event.addProperty("id", id);
        event.addProperty("time", java.time.Instant.now().toString());
        event.addProperty("source", source);
        event.addProperty("width", photo.width());
        event.addProperty("height", photo.height());
        JsonArray faces = new JsonArray();
        double k = photo.factor();
        for (GalleryRecogniser.Answer a : answers) {
            JsonObject face = new JsonObject();
            Box b = a.face().detection().box();
            face.add("box", numbers(b.x() * k, b.y() * k, b.width() * k, b.height() * k));
            face.addProperty("person", a.known() ? a.person() : "unknown");
            face.addProperty("score", round(a.face().detection().score()));
            if (a.nearest() != null) {
                face.addProperty("distance", round(a.distance()));
                face.addProperty("nearest", a.nearest());
            }
            JsonArray landmarks = new JsonArray();
            for (Point p : a.face().landmarks().points()) landmarks.add(numbers(p.x() * k, p.y() * k));
            face.add("landmarks", landmarks);
            if (!a.known()) {
                byte[] thumbnail = GalleryFolder.jpeg(GalleryFolder.thumbnail(photo.image(), b));
                face.addProperty("unknown_id", events.keepUnknown(id, a.nearest(), a.distance(), thumbnail));
            }
            faces.add(face);
        }
        event.add("faces", faces);
        event.addProperty("ms", Math.round((System.nanoTime() - start) / 1e6));
        events.publish(id, event, GalleryFolder.jpeg(downscaled(photo.image())));
        return event;
    }

    /**
     * Enrols {@code photos} as {@code name} ({@link GalleryFolder#enrol}), then swaps the new gallery in. A refusal
     * (bad name, not an image, no face) is a 400 whose message names no server path.
     */
    GalleryFolder.Enrolled enrol(String name, List<Uploads.Photo> photos) throws IOException {
        List<GalleryFolder.Offered> offered = photos.stream().map(p -> new GalleryFolder.Offered(p.label(), p.bytes())).toList();
        return withRecogniser(r -> {
            synchronized (changes) {
                GalleryFolder.Enrolled done;
                try {
                    done = folder.enrol(r, gallery.get(), name, offered);
                } catch (UserError e) {
                    throw HttpError.badRequest(withoutFolder(e.getMessage()));
                }
                gallery.set(done.gallery());
                return done;
            }
        });
    }

    /** Forgets {@code name} (404 when nobody is called so), then swaps the new gallery in; returns the person forgotten. */
    Gallery.Person forget(String name) {
        synchronized (changes) {
            Gallery current = gallery.get();
            Gallery.Person p;
            try {
                p = current.person(GalleryFolder.personName(name));
            } catch (UserError e) {
                throw HttpError.badRequest(e.getMessage());
            }
            if (p == null) throw HttpError.notFound("nobody called '" + name + "' is enrolled");
            gallery.set(folder.forget(current, p.name()));
            return p;
        }
    }

    private String withoutFolder(String message) {
        String prefix = folder.dir() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static RgbImage downscaled(RgbImage image) {
        int longer = Math.max(image.width(), image.height());
        if (longer <= FRAME_SIZE) return image;
        return GalleryFolder.scaled(image, new Box(0, 0, image.width(), image.height()), FRAME_SIZE);
    }

    private static JsonArray numbers(double... values) {
        JsonArray a = new JsonArray();
        for (double v : values) a.add(round(v));
        return a;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
