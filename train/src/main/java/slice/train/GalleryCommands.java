package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import slice.weights.Gallery;
import slice.weights.io.SliceCache;

/**
 * {@code enroll}, {@code forget} and {@code people}: a recogniser made only of enrolled photos, kept as a
 * {@link Gallery} in a model folder and matched by {@link GalleryRecogniser}. Every change rewrites the gallery
 * atomically; a refused change (bad name, unknown person, no face in any photo, a broken gallery) leaves the folder as
 * it was.
 */
final class GalleryCommands {
    private GalleryCommands() { }

    /** The model folder of the gallery commands. */
    static final class ModelFolder {
        @Option(names = "--model", required = true, paramLabel = "DIR",
                description = "Model folder holding the gallery (enroll creates it, and the folder, if needed).")
        Path dir;

        GalleryFolder folder() {
            return new GalleryFolder(dir);
        }

        /** True when the folder holds a classifier written by {@code train} (and no gallery). */
        boolean holdsTrainedModel() {
            return !Gallery.isIn(dir) && Files.isRegularFile(dir.resolve(TrainCommand.MODEL));
        }

        /**
         * Locks the folder for a change ({@link FolderLock}); {@code create} makes the folder if needed, else a missing
         * folder is refused as holding no gallery.
         */
        FolderLock lock(boolean create) throws IOException {
            if (!create && !Files.isDirectory(dir)) folder().open(false);   // refused with the reason
            return FolderLock.acquire(dir, "--model");
        }
    }

    /** {@code 3 people, unknown beyond distance 0.5123 (rule)}. */
    static String summary(Gallery g) {
        return String.format(Locale.ROOT, "%d %s, unknown beyond distance %.4f (%s)", g.people().size(),
                g.people().size() == 1 ? "person" : "people", g.threshold(), g.thresholdRule());
    }

    @Command(name = "enroll", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"Add a person, or more photos of a known one, to a recogniser made of enrolled faces (no training):",
                    "in each photo the largest face is found, aligned and described (face-api.js's networks, in pure Java).",
                    "A photo without a face is reported and skipped; one with several faces uses the largest and says so.",
                    "Into a folder written by train: the photos join the person's training photos (a new person becomes a new",
                    "class) and the head alone is retrained from the cached features of the photos in its split.tsv."},
            footer = {"", "Example:", "  java -jar train.jar enroll --model family --person Zoë zoe1.jpg zoe2.jpg zoe3.jpg"})
    static final class Enroll extends Cli.Task {
        @Mixin ModelFolder model;

        @Option(names = "--person", required = true, paramLabel = "NAME",
                description = "Who the photos show (any Unicode name; no '/', '\\' or control characters).")
        String person;

        @Mixin FaceOptions faces;

        @Parameters(arity = "1..*", paramLabel = "PHOTO", description = "Photos of the person.")
        List<Path> photos;

        @Option(names = "--cache", paramLabel = "DIR",
                description = "For a model written by train: the feature cache its training filled (default: train's default,"
                        + " $SLICE_CACHE/features or ~/.cache/slice/features).")
        Path cache;

        @Override protected int run() throws IOException {
            long start = System.nanoTime();
            String name = GalleryFolder.personName(person);
            try (FolderLock lock = model.lock(true)) {
                return enroll(name, start);
            }
        }

        private int enroll(String name, long start) throws IOException {
            if (model.holdsTrainedModel()) {
                HeadEnrolment.Outcome o = HeadEnrolment.enroll(model.dir, name, photos, faces,
                        cache != null ? cache : SliceCache.standard().features(), System.out);
                System.out.printf(Locale.ROOT, "%s: %d photo%s added; head retrained on %d photos of %d people (%d features computed,"
                        + " the rest from the cache) in %.1f s, %.1f s in all; test accuracy %s%n", name, o.added(),
                        o.added() == 1 ? "" : "s", o.trainPhotos(), o.people(), o.computed(), o.trainingSeconds(), o.seconds(),
                        o.testAccuracy());
                return Cli.OK;
            }
            GalleryFolder folder = model.folder();
            Gallery gallery = folder.open(true);
            Gallery.Person known = gallery.person(name);
            GalleryRecogniser recogniser = faces.galleryRecogniser(gallery);
            double loaded = (System.nanoTime() - start) / 1e9;
            List<GalleryFolder.Offered> offered = new ArrayList<>();
            for (Path file : photos) offered.add(new GalleryFolder.Offered(file.toString(), Files.readAllBytes(file)));
            GalleryFolder.Enrolled enrolled = folder.enrol(recogniser, gallery, name, offered);
            for (GalleryFolder.Outcome o : enrolled.outcomes()) System.out.println(o.label() + "\t" + switch (o.fate()) {
                case ENROLLED -> "enrolled" + (o.faces() > 1 ? " (" + o.faces() + " faces: the largest)" : "");
                case ALREADY_ENROLLED -> "already enrolled" + (o.owner() == null || o.owner().equals(name) ? "" : " as " + o.owner())
                        + ", skipped";
                case NO_FACE -> "no face, skipped";
            });
            if (enrolled.added() == 0) {
                System.out.println(name + ": nothing new (every photo was already enrolled)");
                return Cli.OK;
            }
            System.out.printf(Locale.ROOT, "%s: %d photo%s enrolled (%d in all) in %.1f s (%.1f s of it loading the networks);"
                    + " gallery: %s%n", name, enrolled.added(), enrolled.added() == 1 ? "" : "s",
                    enrolled.added() + (known == null ? 0 : known.photos().size()), (System.nanoTime() - start) / 1e9, loaded,
                    summary(enrolled.gallery()));
            return Cli.OK;
        }
    }

    @Command(name = "forget", sortOptions = false, mixinStandardHelpOptions = true,
            description = "Remove a person and their photos from a recogniser made of enrolled faces.",
            footer = {"", "Example:", "  java -jar train.jar forget --model family Zoë"})
    static final class Forget implements Callable<Integer> {
        @Mixin ModelFolder model;

        @Parameters(index = "0", paramLabel = "NAME", description = "The person to forget.")
        String person;

        @Override public Integer call() throws IOException {
            String name = GalleryFolder.personName(person);
            try (FolderLock lock = model.lock(false)) {
                return forget(name);
            }
        }

        private int forget(String name) {
            GalleryFolder folder = model.folder();
            Gallery gallery = folder.open(false);
            Gallery.Person p = gallery.person(name);
            Gallery updated = folder.forget(gallery, name);
            System.out.printf(Locale.ROOT, "%s forgotten (%d photo%s); gallery: %s%n", name, p.photos().size(),
                    p.photos().size() == 1 ? "" : "s", summary(updated));
            return Cli.OK;
        }
    }

    @Command(name = "people", sortOptions = false, mixinStandardHelpOptions = true,
            description = {"List the people of a recogniser made of enrolled faces: one line per person, name and photo count,",
                    "then the unknown threshold and how it was set."},
            footer = {"", "Example:", "  java -jar train.jar people --model family"})
    static final class People implements Callable<Integer> {
        @Mixin ModelFolder model;

        @Override public Integer call() {
            Gallery gallery = model.folder().open(false);
            for (Gallery.Person p : gallery.people()) {
                System.out.println(p.name() + "\t" + p.photos().size() + (p.photos().size() == 1 ? " photo" : " photos"));
            }
            System.out.println(summary(gallery));
            return Cli.OK;
        }
    }
}
