package slice.engine;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates files of {@code ../shared/data} (beside the checkout; {@code -Dslice.shared} overrides) for tests that need
 * real weights, faces or reference activations. On a user's fresh clone the folder is absent and those tests skip;
 * in CI ({@code CI=true}) a missing file is a failure, so a real test can never silently skip there.
 */
public final class SharedData {
    private SharedData() { }

    /** The shared data root, e.g. {@code /work/shared/data}. */
    public static Path root() {
        String configured = System.getProperty("slice.shared");
        Path base = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
        return base.resolve("data").toAbsolutePath().normalize();
    }

    /** The file or folder at {@code relative} under the data root; skips (or, in CI, fails) when it is absent. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            if ("true".equals(System.getenv("CI"))) fail("CI=true but shared data is missing: " + p);
            assumeTrue(false, "shared data not present (fresh clone): " + p);
        }
        return p;
    }
}
