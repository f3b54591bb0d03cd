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
import slice.train.data.Hashes;
import slice.train.data.FaceIndex;
import slice.train.data.ImageDecoder;
import slice.weights.Gallery;
import slice.weights.ModelCard;
import slice.weights.SavedModel;
import slice.weights.WeightsException;
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

        /** True when the folder holds a classifier written by {@code train} (and no gallery). */
        boolean holdsTrainedModel() {
            return !Gallery.isIn(dir) && Files.isRegularFile(dir.resolve(TrainCommand.MODEL));
        }

        /** The gallery in the folder; with {@code create}, an empty one when the folder holds no model at all. */
        Gallery gallery(boolean create) {
            if (Files.exists(dir) && !Files.isDirectory(dir)) throw UserError.about(dir, "not a folder");
            if (Gallery.isIn(dir)) return Gallery.read(dir);
            Path trained = dir.resolve(TrainCommand.MODEL);
            if (Files.exists(trained)) throw UserError.about(dir, "holds a trained " + describe(trained) + ", not a gallery: its people"
                    + " are its classes (enroll adds photos and retrains its head; train again to remove someone)");
            if (!create) throw UserError.about(dir, "no gallery here (" + Gallery.SIDECAR + "): enroll someone first");
            return Enrolment.empty();
        }

        private static String describe(Path trained) {
            try {
                ModelCard card = SavedModel.readCard(trained);
                return String.format(Locale.ROOT, "%s classifier (α %s, %d people)", card.architecture().id, card.alpha(),
                        card.classNames().size());
            } catch (WeightsException e) {
                return "classifier (" + e.getMessage() + ")";
            }
        }

        void write(Gallery gallery) {
            gallery.write(dir);
        }
    }

    static String personName(String raw) {
        try {
            return Gallery.personName(raw);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
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
            String name = personName(person);
            if (model.holdsTrainedModel()) {
                HeadEnrolment.Outcome o = HeadEnrolment.enroll(model.dir, name, photos, faces,
                        cache != null ? cache : SliceCache.standard().features(), System.out);
                System.out.printf(Locale.ROOT, "%s: %d photo%s added; head retrained on %d photos of %d people (%d features computed,"
                        + " the rest from the cache) in %.1f s, %.1f s in all; test accuracy %s%n", name, o.added(),
                        o.added() == 1 ? "" : "s", o.trainPhotos(), o.people(), o.computed(), o.trainingSeconds(), o.seconds(),
                        o.testAccuracy());
                return Cli.OK;
            }
            Gallery gallery = model.gallery(true);
            Gallery.Person known = gallery.person(name);
            GalleryRecogniser recogniser = faces.galleryRecogniser(gallery);
            double loaded = (System.nanoTime() - start) / 1e9;
            List<Gallery.Photo> added = new ArrayList<>();
            int noFace = 0;
            for (Path file : photos) {
                byte[] bytes = Files.readAllBytes(file);
                String sha = Hashes.sha256Hex(bytes);
                String owner = owner(gallery, sha);
                if (owner != null || added.stream().anyMatch(p -> p.sha256().equals(sha))) {
                    String as = owner == null || owner.equals(name) ? "" : " as " + owner;
                    System.out.println(file + "\talready enrolled" + as + ", skipped");
                    continue;
                }
                ImageDecoder.Scaled decoded;
                try {
                    decoded = FaceIndex.decodePhoto(bytes);
                } catch (IOException e) {
                    throw UserError.about(file, Recogniser.problem(e) + " (nothing enrolled)");
                }
                List<GalleryRecogniser.DescribedFace> found = recogniser.describe(decoded.image());
                GalleryRecogniser.DescribedFace face = GalleryRecogniser.largest(found);
                if (face == null) {
                    System.out.println(file + "\tno face, skipped");
                    noFace++;
                    continue;
                }
                added.add(new Gallery.Photo(sha, face.descriptor()));
                System.out.println(file + "\tenrolled" + (found.size() > 1 ? " (" + found.size() + " faces: the largest)" : ""));
            }
            if (added.isEmpty() && noFace > 0) {
                throw UserError.about(model.dir, "nothing enrolled: no face found in " + (noFace == 1 ? "the photo" : "any of the " + noFace
                        + " photos") + " of " + name);
            }
            if (added.isEmpty()) {
                System.out.println(name + ": nothing new (every photo was already enrolled)");
                return Cli.OK;
            }
            Gallery updated = Enrolment.add(gallery, name, added);
            model.write(updated);
            System.out.printf(Locale.ROOT, "%s: %d photo%s enrolled (%d in all) in %.1f s (%.1f s of it loading the networks);"
                    + " gallery: %s%n", name, added.size(), added.size() == 1 ? "" : "s",
                    added.size() + (known == null ? 0 : known.photos().size()), (System.nanoTime() - start) / 1e9, loaded,
                    summary(updated));
            return Cli.OK;
        }

        /** The person a photo with this SHA-256 is enrolled for, or {@code null}. */
        private static String owner(Gallery g, String sha) {
            for (Gallery.Person p : g.people()) for (Gallery.Photo ph : p.photos()) if (ph.sha256().equals(sha)) return p.name();
            return null;
        }
    }

    @Command(name = "forget", sortOptions = false, mixinStandardHelpOptions = true,
            description = "Remove a person and their photos from a recogniser made of enrolled faces.",
            footer = {"", "Example:", "  java -jar train.jar forget --model family Zoë"})
    static final class Forget implements Callable<Integer> {
        @Mixin ModelFolder model;

        @Parameters(index = "0", paramLabel = "NAME", description = "The person to forget.")
        String person;

        @Override public Integer call() {
            String name = personName(person);
            Gallery gallery = model.gallery(false);
            Gallery.Person p = gallery.person(name);
            if (p == null) {
                throw UserError.about(model.dir, "nobody called '" + name + "' is enrolled (run 'people --model " + model.dir + "')");
            }
            Gallery updated = Enrolment.forget(gallery, name);
            model.write(updated);
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
            Gallery gallery = model.gallery(false);
            for (Gallery.Person p : gallery.people()) {
                System.out.println(p.name() + "\t" + p.photos().size() + (p.photos().size() == 1 ? " photo" : " photos"));
            }
            System.out.println(summary(gallery));
            return Cli.OK;
        }
    }
}
