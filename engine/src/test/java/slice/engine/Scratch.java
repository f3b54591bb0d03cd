package slice.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary files for many short tries (the fuzz tests' thousands of cases in one test method): one folder for a test class, in
 * which each {@link Try} gives its files fresh names and deletes them when closed. A try's files never reuse a
 * previous try's name, so no reader still holding an old file sees it change.
 */
public final class Scratch implements AutoCloseable {
    private final Path dir;
    private long tries;

    public Scratch() throws IOException {
        dir = Files.createTempDirectory("slice-fuzz");
    }

    /** A new try: its files are {@code <folder>/t<N>-<name>}. */
    public Try newTry() {
        return new Try(dir, "t" + ++tries + "-");
    }

    /** Deletes the folder and whatever is left in it. */
    @Override public void close() throws IOException {
        delete(dir);
    }

    private static void delete(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) Files.deleteIfExists(p);
    }

    /** One try's files. */
    public static final class Try implements AutoCloseable {
        private final Path dir;
        private final String prefix;
        private final List<Path> made = new ArrayList<>();

        private Try(Path dir, String prefix) {
            this.dir = dir;
            this.prefix = prefix;
        }

        /** Writes {@code bytes} to this try's file {@code name}. */
        public Path write(String name, byte[] bytes) throws IOException {
            Path file = Files.write(path(name), bytes);
            made.add(file);
            return file;
        }

        /** This try's path for {@code name}, to be created by the caller (deleted with the try, a folder with its content). */
        public Path path(String name) {
            Path p = dir.resolve(prefix + name);
            made.add(p);
            return p;
        }

        @Override public void close() throws IOException {
            for (Path p : made) if (Files.exists(p)) delete(p);
        }
    }
}
