package slice.train;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import slice.models.face.Box;
import slice.train.data.FaceIndex;
import slice.train.data.Hashes;
import slice.train.data.ImageDecoder;
import slice.train.data.RgbImage;
import slice.weights.Gallery;
import slice.weights.ModelCard;
import slice.weights.SavedModel;
import slice.weights.WeightsException;
import slice.weights.io.AtomicFiles;

/**
 * A model folder holding a {@link Gallery}, and the one way photos are enrolled into it and people forgotten — used by
 * the {@code enroll} and {@code forget} commands and by {@code serve}. Beside the gallery's files, each enrolled photo
 * leaves a small JPEG of its face, {@code face-<sha256 of the photo>.jpg} (named by content, never by a name a user
 * chose), shown by {@code serve}'s page. A refused change (bad name, unreadable photo, no face in any photo, unknown
 * person, a broken gallery) writes nothing.
 */
public final class GalleryFolder {
    /** The longer side of a face thumbnail, in pixels. */
    public static final int THUMBNAIL_SIZE = 160;

    private final Path dir;

    public GalleryFolder(Path dir) {
        this.dir = dir;
    }

    public Path dir() { return dir; }

    /** A photo offered for enrolment: its bytes and what to call it in messages (a file name, {@code upload}). */
    public record Offered(String label, byte[] bytes) { }

    /** What became of an offered photo. */
    public enum Fate { ENROLLED, ALREADY_ENROLLED, NO_FACE }

    /**
     * One offered photo's fate: how many faces it shows (the largest is enrolled), and for a photo already enrolled, for
     * whom ({@code owner}; {@code null} for a repeat within the same request).
     */
    public record Outcome(String label, Fate fate, int faces, String owner) { }

    /** The gallery after an enrolment (the same one when nothing was added), and each photo's outcome. */
    public record Enrolled(Gallery gallery, String person, List<Outcome> outcomes, int added) { }

    /**
     * The gallery in the folder; with {@code create}, an empty one when the folder holds no model at all (the caller
     * holds the folder's {@link FolderLock}, which refused a path that cannot be a folder and created it). A folder
     * holding a trained classifier is refused (its people are its classes: {@code enroll} retrains its head instead,
     * {@link HeadEnrolment}).
     */
    public Gallery open(boolean create) {
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

    /**
     * Enrols {@code photos} as {@code rawName} into {@code gallery} (the folder's current one): each photo's largest face
     * is described by {@code recogniser}; a photo already enrolled (same SHA-256, for anyone) or repeated is skipped; a
     * photo without a face is skipped. Then the face thumbnails and the new gallery are written (the gallery atomically,
     * last). Nothing is written when nothing is added.
     *
     * @throws UserError for a bad name, a photo that is not a readable image (nothing enrolled, even from the other
     *                   photos), or when no photo shows a face
     */
    public Enrolled enrol(GalleryRecogniser recogniser, Gallery gallery, String rawName, List<Offered> photos) {
        String name = personName(rawName);
        List<Gallery.Photo> added = new ArrayList<>();
        List<RgbImage> thumbnails = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        int noFace = 0;
        for (Offered photo : photos) {
            String sha = Hashes.sha256Hex(photo.bytes());
            String owner = owner(gallery, sha);
            if (owner != null || added.stream().anyMatch(p -> p.sha256().equals(sha))) {
                outcomes.add(new Outcome(photo.label(), Fate.ALREADY_ENROLLED, 0, owner));
                continue;
            }
            ImageDecoder.Scaled decoded;
            try {
                decoded = FaceIndex.decodePhoto(photo.bytes());
            } catch (IOException e) {
                throw new UserError(photo.label() + ": " + Recogniser.problem(e) + " (nothing enrolled)");
            }
            List<GalleryRecogniser.DescribedFace> found = recogniser.describe(decoded.image());
            GalleryRecogniser.DescribedFace face = GalleryRecogniser.largest(found);
            if (face == null) {
                outcomes.add(new Outcome(photo.label(), Fate.NO_FACE, 0, null));
                noFace++;
                continue;
            }
            added.add(new Gallery.Photo(sha, face.descriptor()));
            thumbnails.add(thumbnail(decoded.image(), face.face().detection().box()));
            outcomes.add(new Outcome(photo.label(), Fate.ENROLLED, found.size(), null));
        }
        if (added.isEmpty() && noFace > 0) {
            throw UserError.about(dir, "nothing enrolled: no face found in " + (noFace == 1 ? "the photo" : "any of the " + noFace
                    + " photos") + " of " + name);
        }
        if (added.isEmpty()) return new Enrolled(gallery, name, outcomes, 0);
        Gallery updated = Enrolment.add(gallery, name, added);
        for (int i = 0; i < added.size(); i++) writeThumbnail(added.get(i).sha256(), thumbnails.get(i));
        updated.write(dir);
        return new Enrolled(updated, name, outcomes, added.size());
    }

    /** {@code gallery} without the person called {@code rawName}, written, their face thumbnails deleted. */
    public Gallery forget(Gallery gallery, String rawName) {
        String name = personName(rawName);
        Gallery.Person p = gallery.person(name);
        if (p == null) throw UserError.about(dir, "nobody called '" + name + "' is enrolled (run 'people --model " + dir + "')");
        Gallery updated = Enrolment.forget(gallery, name);
        updated.write(dir);
        for (Gallery.Photo photo : p.photos()) {
            try {
                Files.deleteIfExists(thumbnail(photo.sha256()));
            } catch (IOException e) {
                System.err.println("warning: " + thumbnail(photo.sha256()) + ": could not delete (" + e.getMessage() + ")");
            }
        }
        return updated;
    }

    /** Where the face thumbnail of the enrolled photo with this SHA-256 is (it may be absent: enrolled by an older Slice). */
    public Path thumbnail(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("not a SHA-256: " + sha256);
        return dir.resolve("face-" + sha256 + ".jpg");
    }

    /** {@code raw} as a person's name ({@link Gallery#personName}), or a {@link UserError} saying why not. */
    public static String personName(String raw) {
        try {
            return Gallery.personName(raw);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** The person a photo with this SHA-256 is enrolled for, or {@code null}. */
    private static String owner(Gallery g, String sha) {
        for (Gallery.Person p : g.people()) for (Gallery.Photo ph : p.photos()) if (ph.sha256().equals(sha)) return p.name();
        return null;
    }

    /** The face in {@code box} with a quarter of its size as margin on each side, at most {@link #THUMBNAIL_SIZE} pixels. */
    public static RgbImage thumbnail(RgbImage image, Box box) {
        double m = 0.25 * Math.max(box.width(), box.height());
        return scaled(image, new Box(box.x() - m, box.y() - m, box.width() + 2 * m, box.height() + 2 * m), THUMBNAIL_SIZE);
    }

    /** The part of {@code image} in {@code region} (clipped to the image), scaled down so its longer side is at most {@code longest}. */
    public static RgbImage scaled(RgbImage image, Box region, int longest) {
        int x0 = clamp(region.x(), image.width()), y0 = clamp(region.y(), image.height());
        int x1 = clamp(region.right(), image.width()), y1 = clamp(region.bottom(), image.height());
        int w = Math.max(1, x1 - x0), h = Math.max(1, y1 - y0);
        double scale = Math.min(1.0, (double) longest / Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * scale)), th = Math.max(1, (int) Math.round(h * scale));
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(toBuffered(image), 0, 0, tw, th, x0, y0, x0 + w, y0 + h, null);
        g.dispose();
        int[] pixels = out.getRGB(0, 0, tw, th, null, 0, tw);
        for (int i = 0; i < pixels.length; i++) pixels[i] &= 0xFFFFFF;
        return new RgbImage(tw, th, pixels);
    }

    /** {@code image} as JPEG bytes. */
    public static byte[] jpeg(RgbImage image) {
        var bytes = new java.io.ByteArrayOutputStream();
        try {
            if (!ImageIO.write(toBuffered(image), "jpg", bytes)) throw new IllegalStateException("no JPEG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static BufferedImage toBuffered(RgbImage image) {
        BufferedImage b = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, image.width(), image.height(), image.pixels(), 0, image.width());
        return b;
    }

    private static int clamp(double v, int limit) {
        return (int) Math.max(0, Math.min(limit, Math.round(v)));
    }

    private void writeThumbnail(String sha256, RgbImage face) {
        try {
            Files.createDirectories(dir);
            byte[] bytes = jpeg(face);
            AtomicFiles.write(thumbnail(sha256), out -> out.write(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
