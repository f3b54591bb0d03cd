package slice.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real full disk for tests: a tmpfs of a few kilobytes mounted on a folder, so writes fail with the operating
 * system's own "No space left on device". Mounting needs root: without it the test is skipped (an assumption), since
 * no other way gives the same error from the real file system.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path folder;

    private SmallDisk(Path folder) {
        this.folder = folder;
    }

    /** Mounts a tmpfs of {@code kilobytes} on {@code folder} (created if needed); skips the test when that is not allowed. */
    public static SmallDisk mount(Path folder, int kilobytes) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k", "tmpfs", folder.toString()) == 0,
                "mounting a tmpfs needs root");
        return new SmallDisk(folder);
    }

    public Path folder() {
        return folder;
    }

    /** Unmounts it; the folder is empty again. */
    @Override public void close() throws IOException, InterruptedException {
        assertEquals(0, run("umount", folder.toString()), "umount " + folder);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
