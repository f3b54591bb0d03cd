package slice.engine;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that change {@link Parallel}'s thread count ({@code @ExtendWith(RestoresThreads.class)}): after each
 * test, the count it started with is put back, so the next test runs with the suite's setting.
 */
public final class RestoresThreads implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(RestoresThreads.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(STORE).put("threads", Parallel.threads());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Parallel.setThreads(context.getStore(STORE).get("threads", Integer.class));
    }
}
