package slice.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

/**
 * What the fuzz tests assert of a loader fed a damaged file: it returns, or it refuses with the project's error for
 * bad input, whose message is one line (the command line prints it as is). Any other exception — a
 * NullPointerException, an index out of bounds, a library's own runtime exception, an OutOfMemoryError — fails, and
 * so does a load that allocated more than its bound (a declared size believed before it was checked).
 */
public final class Refusal {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Refusal() { }

    /**
     * Runs {@code load} on this thread; passes if it returns or throws an instance of one of {@code refusals} with a
     * one-line, non-empty message, having allocated at most {@code maxBytes} on this thread. Returns what was thrown
     * (null when it returned), for tests that check more of the message.
     */
    @SafeVarargs
    public static Throwable assertReturnsOrRefuses(long maxBytes, Callable<?> load, Class<? extends Exception>... refusals) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            load.call();
        } catch (Throwable t) {
            thrown = t;
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (thrown != null) {
            Throwable t = thrown;
            boolean expected = false;
            for (Class<? extends Exception> c : refusals) expected |= c.isInstance(thrown);
            if (!expected) fail("not a clean refusal: " + thrown, thrown);
            String message = thrown.getMessage();
            assertTrue(message != null && !message.isBlank(), () -> "refusal without a message: " + t.getClass().getName());
            assertTrue(message.indexOf('\n') < 0 && message.indexOf('\r') < 0, () -> "message of more than one line: " + message);
        }
        assertTrue(allocated <= maxBytes, "allocated " + allocated + " bytes, more than the bound of " + maxBytes);
        return thrown;
    }

    /** The outcome {@link Cases} counts for a case whose load returned. */
    public static final String LOADS = "loads";
    /** The outcome {@link Cases} counts for a case whose load was refused. */
    public static final String REFUSED = "refused";

    /**
     * The outcome of a case, {@code thrown} being what {@link #assertReturnsOrRefuses} returned; a loader's test requires
     * both among its cases ({@link Cases.Outcomes#assertSeen}).
     */
    public static String outcome(Throwable thrown) {
        return thrown == null ? LOADS : REFUSED;
    }
}
