package slice.engine;

import java.util.function.Supplier;

/**
 * Chooses, once at start-up, between the vectorised kernels (package {@code slice.engine.simd}, the only code that
 * touches {@code jdk.incubator.vector}) and their scalar twins.
 *
 * <p>The vector kernels are used when the JVM was started with {@code --add-modules jdk.incubator.vector} and
 * {@code -Dslice.scalar=true} is not set. Otherwise every kernel is its scalar twin: slower, same math, and the
 * program still runs — on a JVM without the module, or on a 32-bit ARM OS where the Vector API has no NEON backend.
 * One species (the preferred one, capped by {@code -XX:MaxVectorSize}) is used in the whole process: on Java 17,
 * mixing two vector widths in one JVM makes every kernel many times slower.
 */
public final class Simd {
    private static final String VECTOR_PACKAGE = "slice.engine.simd.";

    /** True when the vectorised kernels are active. */
    public static final boolean ENABLED = !Boolean.getBoolean("slice.scalar")
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /** Float lanes of the active species (1 for the scalar path). */
    public static final int FLOAT_LANES = ENABLED ? Simd.<Supplier<Integer>>load("VectorInfo", () -> () -> 1).get() : 1;

    private Simd() { }

    /**
     * The vectorised implementation {@code slice.engine.simd.<simpleName>} when {@link #ENABLED}, else
     * {@code scalar.get()}. The class must have a public no-argument constructor and implement the same interface.
     */
    @SuppressWarnings("unchecked")
    public static <T> T load(String simpleName, Supplier<? extends T> scalar) {
        if (!ENABLED) return scalar.get();
        try {
            return (T) Class.forName(VECTOR_PACKAGE + simpleName).getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load vector kernel " + simpleName, e);
        }
    }

    /** One line saying which kernels run, e.g. {@code vector kernels, 128-bit (4 float lanes), 4 threads}. */
    public static String describe() {
        String kernels = ENABLED
                ? "vector kernels, " + FLOAT_LANES * 32 + "-bit (" + FLOAT_LANES + " float lanes)"
                : "scalar kernels (jdk.incubator.vector not loaded" + (Boolean.getBoolean("slice.scalar") ? ", -Dslice.scalar" : "") + ")";
        return kernels + ", " + Parallel.threads() + " threads, Java " + Runtime.version().feature();
    }
}
