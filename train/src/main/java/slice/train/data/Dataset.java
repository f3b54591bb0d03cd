package slice.train.data;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.stream.Stream;
import slice.engine.Parallel;

/**
 * A folder of faces: one sub-folder per person (the class name, NFC-normalised; classes sorted by folder), images
 * anywhere below it.
 *
 * <p>{@link #scan} validates every file up front: it reads and hashes the bytes and decodes the whole image (in
 * parallel; large photos decimated while decoding, which still reads every byte), so corrupt and truncated files are
 * found before the split is made and class counts are final. Symbolic links to photos and to folders (person folders
 * included) are followed ({@link #filesBelow}). Files that are hidden (name starting with "." or hidden by the OS;
 * hidden folders are not entered), not images, empty, unreadable or corrupt, broken links and link loops, and plain
 * files directly in the data folder, are skipped and listed in one warning ({@link #warning()}); they never abort the
 * run.
 * Fewer than two classes, or a class with fewer than two usable images, is a {@link DataException} with a one-line
 * message.
 */
public final class Dataset {
    /** A file left out of the data set, and why (e.g. "not an image", "truncated JPEG (...)"). */
    public record Skipped(Path file, String reason) { }

    /** Validation decodes every pixel but keeps large photos at about this size, to bound memory. */
    private static final int VALIDATION_SIZE = 512;

    private final Path root;
    private final List<String> classes;
    private final List<Sample> samples;
    private final List<Skipped> skipped;

    private Dataset(Path root, List<String> classes, List<Sample> samples, List<Skipped> skipped) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.samples = List.copyOf(samples);
        this.skipped = List.copyOf(skipped);
    }

    public Path root() { return root; }

    /** Class (person) names, sorted; a sample's label indexes this list. */
    public List<String> classes() { return classes; }

    /** Usable images, ordered by class then by relative path. */
    public List<Sample> samples() { return samples; }

    /** Files left out, in path order. */
    public List<Skipped> skipped() { return skipped; }

    /**
     * One warning listing every skipped file with its reason (a header line, then one indented line per file), or
     * empty when nothing was skipped.
     */
    public Optional<String> warning() {
        if (skipped.isEmpty()) return Optional.empty();
        StringBuilder sb = new StringBuilder("warning: skipped ").append(skipped.size())
            .append(skipped.size() == 1 ? " file" : " files").append(" in ").append(root).append(':');
        for (Skipped s : skipped) sb.append("\n  ").append(relative(root, s.file())).append(": ").append(s.reason());
        return Optional.of(sb.toString());
    }

    /** Scans and validates {@code root} (see the class comment); throws {@link DataException} on unusable data. */
    public static Dataset scan(Path root) {
        if (!Files.isDirectory(root)) throw new DataException("data folder " + root + " does not exist or is not a folder");
        List<Skipped> skipped = new ArrayList<>();
        List<Path> classDirs = new ArrayList<>();
        for (Path entry : list(root)) {
            if (isHidden(entry)) skipped.add(new Skipped(entry, "hidden"));
            else if (Files.isDirectory(entry)) classDirs.add(entry);
            else skipped.add(new Skipped(entry, "not inside a person's folder"));
        }
        if (classDirs.size() < 2)
            throw new DataException("data folder " + root + " has " + classDirs.size() + " person folder"
                + (classDirs.size() == 1 ? "" : "s") + "; need at least 2 (one sub-folder of images per person)");
        List<String> classes = personNames(classDirs);

        List<Path> candidates = new ArrayList<>();
        List<Integer> candidateClass = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            for (Path file : filesBelow(classDirs.get(c), skipped)) {
                candidates.add(file);
                candidateClass.add(c);
            }
        }
        String[] hash = new String[candidates.size()], problem = new String[candidates.size()];
        Parallel.forRange(candidates.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(candidates.get(i));
                } catch (IOException e) {
                    problem[i] = "unreadable (" + e.getClass().getSimpleName() + ")";
                    continue;
                }
                try {
                    ImageDecoder.decode(bytes, VALIDATION_SIZE);
                    hash[i] = Hashes.sha256Hex(bytes);
                } catch (IOException e) {
                    problem[i] = e.getMessage();
                } catch (OutOfMemoryError e) {
                    problem[i] = "too large to decode in this heap";
                }
            }
        });

        List<Sample> samples = new ArrayList<>();
        int[] usable = new int[classes.size()], bad = new int[classes.size()];
        for (int i = 0; i < candidates.size(); i++) {
            int c = candidateClass.get(i);
            if (problem[i] != null) {
                skipped.add(new Skipped(candidates.get(i), problem[i]));
                bad[c]++;
            } else {
                samples.add(new Sample(candidates.get(i), relative(root, candidates.get(i)), c, hash[i]));
                usable[c]++;
            }
        }
        List<String> tooSmall = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            if (usable[c] < 2)
                tooSmall.add("'" + classes.get(c) + "' has " + usable[c] + (usable[c] == 1 ? " usable image" : " usable images")
                    + (bad[c] > 0 ? " (" + bad[c] + " skipped)" : ""));
        }
        if (!tooSmall.isEmpty())
            throw new DataException("in " + root + ", " + String.join(", ", tooSmall) + "; every person needs at least 2 images");
        skipped.sort(Comparator.comparing(s -> s.file().toString()));
        return new Dataset(root, classes, samples, skipped);
    }

    /**
     * This data set without {@code removed} (e.g. photos in which no face was found), which join the skipped files with
     * {@code reason}. The same rule as {@link #scan}: every person keeps at least 2 images, else a {@link DataException}.
     */
    public Dataset without(List<Sample> removed, String reason) {
        if (removed.isEmpty()) return this;
        Set<Path> gone = new HashSet<>();
        for (Sample s : removed) gone.add(s.file());
        List<Sample> kept = samples.stream().filter(s -> !gone.contains(s.file())).toList();
        List<Skipped> skippedNow = new ArrayList<>(skipped);
        for (Sample s : removed) skippedNow.add(new Skipped(s.file(), reason));
        skippedNow.sort(Comparator.comparing(s -> s.file().toString()));
        int[] usable = new int[classes.size()], lost = new int[classes.size()];
        for (Sample s : kept) usable[s.label()]++;
        for (Sample s : removed) lost[s.label()]++;
        List<String> tooSmall = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            if (usable[c] < 2) {
                tooSmall.add("'" + classes.get(c) + "' has " + usable[c] + (usable[c] == 1 ? " usable image" : " usable images")
                        + " (" + lost[c] + ": " + reason + ")");
            }
        }
        if (!tooSmall.isEmpty()) {
            throw new DataException("in " + root + ", " + String.join(", ", tooSmall) + "; every person needs at least 2 images");
        }
        return new Dataset(root, classes, kept, skippedNow);
    }

    /**
     * The person names of the folders: each folder's name, NFC-normalised, so a name is one name however the file
     * system spells its letters (ë precomposed, or e + combining diaeresis). A name this JVM could not read (U+FFFD in
     * it: a locale that is not UTF-8), or two folders with one name, is a {@link DataException} naming the folders.
     */
    private static List<String> personNames(List<Path> dirs) {
        Map<String, Path> seen = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Path dir : dirs) {
            String name = Normalizer.normalize(dir.getFileName().toString(), Normalizer.Form.NFC);
            if (name.indexOf('\uFFFD') >= 0) {
                throw new DataException(dir + ": this folder's name cannot be read in the locale's encoding ("
                        + System.getProperty("sun.jnu.encoding") + "): run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
            }
            Path other = seen.putIfAbsent(name, dir);
            if (other != null) {
                throw new DataException("person folders " + other + " and " + dir + " are both '" + name
                        + "' once normalised (Unicode NFC): merge them or rename one");
            }
            names.add(name);
        }
        return names;
    }

    /**
     * The files below {@code dir}, sorted by path, symbolic links followed (to files and to folders; a link back to a
     * folder it is inside is not entered again). Hidden files and folders, link loops, broken links, other non-regular
     * files and what cannot be read are added to {@code skipped} with the reason. Used by {@link #scan} and by the
     * commands that take folders of photos, so all see the same files.
     */
    public static List<Path> filesBelow(Path dir, List<Skipped> skipped) {
        List<Path> files = new ArrayList<>();
        try {
            Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (!d.equals(dir) && isHidden(d)) {
                        skipped.add(new Skipped(d, "hidden"));
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (isHidden(f)) skipped.add(new Skipped(f, "hidden"));
                    else if (attrs.isRegularFile()) files.add(f);
                    else skipped.add(new Skipped(f, attrs.isSymbolicLink() ? "broken symbolic link" : "not a regular file"));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    skipped.add(new Skipped(f, e instanceof FileSystemLoopException ? "symbolic link loop (a link to a folder it is in)"
                            : "unreadable (" + e.getClass().getSimpleName() + ")"));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DataException("cannot read folder " + dir + ": " + e.getMessage());
        }
        Collections.sort(files);
        return files;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new DataException("cannot read data folder " + dir + ": " + e.getMessage());
        }
    }

    private static boolean isHidden(Path p) {
        if (p.getFileName().toString().startsWith(".")) return true;
        try {
            return Files.isHidden(p);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code file}'s path below {@code root}, with '/' and NFC-normalised: a sample's name whatever the platform. */
    private static String relative(Path root, Path file) {
        return Normalizer.normalize(root.relativize(file).toString().replace('\\', '/'), Normalizer.Form.NFC);
    }
}
