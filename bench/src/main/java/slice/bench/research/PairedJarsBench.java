package slice.bench.research;

import java.io.File;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntToDoubleFunction;

/**
 * A/B harness for a shared, noisy machine: the same work from two benchmark jars (A and B), each loaded by a class
 * loader of its own in one JVM, called alternately (four calls of A, four of B, …) on one engine thread, each timed
 * in CPU seconds of the calling thread (with {@code -Dthreads=N}, N > 1: each engine on N threads, each call timed
 * in wall-clock seconds, as the threads' CPU times would not add up to the call's duration). Both sides see the same neighbours at the same moments, so the median of the
 * per-pair ratio {@code time(B) / time(A)} is much steadier than two separate runs. Every shape gets fresh class
 * loaders, so the JIT compiles and profiles each side for that shape alone (as a JMH fork would).
 *
 * <p>Shapes: {@code HxWxC>K}, a 1×1 convolution's forward pass ({@code Pointwise.forward}; default: its five
 * MobileNetV2 shapes), {@code HxWxC>K/KHxKW[sS]}, a convolution with a window ({@code Conv.forward}: SAME padding, no
 * bias, no fused map), each on a batch of {@code -Dbatch} images (default 1), {@code avg:HxWxC/KxK[sS]} or
 * {@code max:HxWxC/KxK[sS]}, a pooling layer's inference forward (average: {@code AveragePooling2D}, SAME; max: the
 * kernel's {@code maxForward} keeping no winners, as in an inference graph, VALID, on the calling thread whatever
 * {@code -Dthreads}; a square K × K window; FLOPs counted as two per window cell and channel, padding included),
 * {@code gemm:m,n,k}, the plain product
 * {@code C = A·B}, or {@code model:NAME}, a whole network's inference pass on {@code -Dbatch} images
 * ({@code Inference.forward} of {@code mobilenetv2} or {@code inceptionv3}; one call per side and sample), or
 * {@code step:NAME[@B]}, the fine-tuning step at batch B, 32 if not given ({@code Training.fineTune}; one call per side
 * and sample), or {@code full:NAME[@B]}, the full training step, every layer trained ({@code Training.fullStep},
 * likewise; at batch 32 two MobileNetV2 sides need about {@code -Xmx9g}). With {@code probe:} before jar A,
 * side A is the FMA probe ({@code VectorFmaPeak}) doing the shape's FLOPs instead, so B/A reads as B's fraction of the
 * peak under the same load. Run from the checkout after {@code mvn -DskipTests package}, for example
 * {@code java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=16] -Xbatch -Dseconds=3
 * -cp bench/target/benchmarks.jar slice.bench.research.PairedJarsBench /tmp/base.jar /tmp/branch.jar [shape ...]}
 * ({@code -Xbatch}: on a loaded machine the C2 queue can otherwise leave a side interpreted for seconds).
 */
public final class PairedJarsBench {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    /** Calls per side and sample: a few, for CPU-time granularity on the smallest shapes. */
    private static final int CALLS = 4;
    /** Images per call of a convolution's forward ({@code -Dbatch}). */
    private static final int BATCH = Integer.getInteger("batch", 1);
    /** Engine threads of each side ({@code -Dthreads}); above one, calls are timed in wall-clock seconds. */
    private static final int THREADS = Integer.getInteger("threads", 1);

    public static void main(String[] args) throws Throwable {
        String jarA = args[0], jarB = args[1];
        String[] shapes = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
                : new String[] {"112x112x16>96", "56x56x144>24", "14x14x384>64", "7x7x960>160", "7x7x320>1280"};
        double seconds = Double.parseDouble(System.getProperty("seconds", "3"));
        for (String shape : shapes) {
            MethodHandle a = jarA.startsWith("probe:") ? probe(jarA.substring(6), flops(shape)) : work(jarA, shape, THREADS);
            Pairs p = alternate(a, work(jarB, shape, THREADS), shape.startsWith("model:") || TrainingStep.of(shape) != null ? 1 : CALLS,
                    seconds, THREADS > 1);
            double f = flops(shape);
            System.out.printf("%-16s A %6.1f  B %6.1f GFLOP/s per %s second (medians: A %.3f, B %.3f ms)   B/A time %.3f [quartiles %.3f %.3f], %d pairs%n",
                    shape, f / p.medianNanosA, f / p.medianNanosB, THREADS > 1 ? "wall" : "CPU", p.medianNanosA / 1e6,
                    p.medianNanosB / 1e6, p.ratio, p.lowerQuartile, p.upperQuartile, p.count);
        }
    }

    /**
     * The alternation's result: each side's median CPU (or wall-clock) nanoseconds a call, and the median and quartiles of the
     * per-pair ratio {@code time(B) / time(A)} over {@code count} pairs.
     */
    record Pairs(double medianNanosA, double medianNanosB, double ratio, double lowerQuartile, double upperQuartile, int count) {}

    /**
     * A training step of {@code model} at {@code batch} images: {@code step:NAME[@B]}, the fine-tuning step
     * ({@code Training.fineTune} on its state {@code FineTuned}), or {@code full:NAME[@B]}, the full step
     * ({@code Training.fullStep} on {@code Full}); B is 32 when not given.
     */
    private record TrainingStep(String model, int batch, String method, String state) {
        /** The step a shape names; null when it names none. */
        static TrainingStep of(String shape) {
            boolean fine = shape.startsWith("step:");
            if (!fine && !shape.startsWith("full:")) return null;
            String[] nameAndBatch = shape.substring(5).split("@", 2);
            int batch = nameAndBatch.length > 1 ? Integer.parseInt(nameAndBatch[1]) : 32;
            return fine ? new TrainingStep(nameAndBatch[0], batch, "fineTune", "FineTuned")
                    : new TrainingStep(nameAndBatch[0], batch, "fullStep", "Full");
        }
    }

    /** A pooling shape, {@code avg:} or {@code max:} then {@code HxWxC/KxK[sS]}: input, window side, stride. */
    private record Pooling(int[] hwc, int pool, int stride) {
        static Pooling parse(String shape) {
            String[] io = shape.substring(4).split("[/s]");
            return new Pooling(Arrays.stream(io[0].split("x")).mapToInt(Integer::parseInt).toArray(),
                    Integer.parseInt(io[1].split("x")[0]), io.length > 2 ? Integer.parseInt(io[2]) : 1);
        }

        /** Output size along axis {@code axis} (0 height, 1 width) with VALID padding. */
        int validOut(int axis) {
            return (hwc[axis] - pool) / stride + 1;
        }
    }

    /**
     * Warms both sides up for 0.4 × {@code seconds}, then alternates them for {@code seconds} (at least one pair),
     * {@code calls} calls of a side per sample, timed in CPU seconds of the calling thread, or in wall-clock seconds
     * when {@code wall}.
     */
    static Pairs alternate(MethodHandle a, MethodHandle b, int calls, double seconds, boolean wall) throws Throwable {
        long end = System.nanoTime() + (long) (0.4e9 * seconds);
        while (System.nanoTime() < end) {
            a.invokeExact();
            b.invokeExact();
        }
        long[] ta = new long[1 << 16], tb = new long[1 << 16];
        int n = 0;
        end = System.nanoTime() + (long) (1e9 * seconds);
        do {
            long c0 = clock(wall);
            for (int i = 0; i < calls; i++) a.invokeExact();
            long c1 = clock(wall);
            for (int i = 0; i < calls; i++) b.invokeExact();
            ta[n] = (c1 - c0) / calls;
            tb[n] = (clock(wall) - c1) / calls;
            n++;
        } while (System.nanoTime() < end && n < ta.length);
        double[] ratio = new double[n];
        for (int i = 0; i < n; i++) ratio[i] = (double) tb[i] / ta[i];
        long[] sa = Arrays.copyOf(ta, n), sb = Arrays.copyOf(tb, n);
        Arrays.sort(sa);
        Arrays.sort(sb);
        Arrays.sort(ratio);
        return new Pairs(sa[n / 2], sb[n / 2], ratio[n / 2], ratio[n / 4], ratio[3 * n / 4], n);
    }

    /** Nanoseconds: of the wall clock when {@code wall}, else of the calling thread's CPU time. */
    private static long clock(boolean wall) {
        return wall ? System.nanoTime() : CPU.getCurrentThreadCpuTime();
    }

    /** FLOPs of one call of {@code shape}. */
    static double flops(String shape) throws Throwable {
        if (shape.startsWith("model:")) {
            Object bench = inference(PairedJarsBench.class.getClassLoader(), shape, 1);
            return (double) bench.getClass().getMethod("flops", String.class).invoke(bench, "forward");
        }
        TrainingStep step = TrainingStep.of(shape);
        if (step != null) {
            Class<?> type = PairedJarsBench.class.getClassLoader().loadClass("slice.bench.Training");
            Object training = type.getConstructor().newInstance();
            type.getField("model").set(training, step.model);
            type.getField("batch").setInt(training, step.batch);
            return (double) type.getMethod("flops", String.class).invoke(training, step.method);
        }
        if (shape.startsWith("gemm:")) {
            double[] d = Arrays.stream(shape.substring(5).split(",")).mapToDouble(Double::parseDouble).toArray();
            return 2 * d[0] * d[1] * d[2];
        }
        if (shape.startsWith("avg:") || shape.startsWith("max:")) {
            Pooling p = Pooling.parse(shape);
            double outPixels = shape.startsWith("avg:")
                    ? Math.ceil((double) p.hwc[0] / p.stride) * Math.ceil((double) p.hwc[1] / p.stride)
                    : (double) p.validOut(0) * p.validOut(1);
            return 2.0 * BATCH * outPixels * p.hwc[2] * p.pool * p.pool;
        }
        String[] io = shape.split("[>/s]");
        double[] d = Arrays.stream(io[0].split("x")).mapToDouble(Double::parseDouble).toArray();
        double[] window = io.length > 2 ? Arrays.stream(io[2].split("x")).mapToDouble(Double::parseDouble).toArray() : new double[] {1, 1};
        int stride = io.length > 3 ? Integer.parseInt(io[3]) : 1;
        double outPixels = Math.ceil(d[0] / stride) * Math.ceil(d[1] / stride); // SAME padding
        return 2 * BATCH * outPixels * d[2] * window[0] * window[1] * Double.parseDouble(io[1]);
    }

    /**
     * A fresh class loader for {@code jar} (a benchmark jar, or a class path of several entries separated by
     * {@link File#pathSeparator}), its engine set to {@code threads} threads.
     */
    private static ClassLoader load(String jar, int threads) throws Exception {
        String[] entries = jar.split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) urls[i] = Path.of(entries[i]).toUri().toURL();
        ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
        loader.loadClass("slice.engine.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
        return loader;
    }

    /** One call of {@code shape} with the classes of {@code jar}, its engine on {@code threads} threads. */
    static MethodHandle work(String jar, String shape, int threads) throws Throwable {
        ClassLoader loader = load(jar, threads);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        if (shape.startsWith("model:")) {
            Object bench = inference(loader, shape, threads);
            bench.getClass().getMethod("setUp").invoke(bench);
            MethodHandle forward = lookup.findVirtual(bench.getClass(), "forward", MethodType.methodType(Object.class));
            return MethodHandles.dropReturn(forward.bindTo(bench));
        }
        TrainingStep kind = TrainingStep.of(shape);
        if (kind != null) {
            Class<?> type = loader.loadClass("slice.bench.Training"), state = loader.loadClass("slice.bench.Training$" + kind.state);
            Object step = state.getConstructor().newInstance();
            state.getField("model").set(step, kind.model);
            state.getField("batch").setInt(step, kind.batch);
            state.getMethod("setUp").invoke(step);
            MethodHandle run = lookup.findVirtual(type, kind.method, MethodType.methodType(Object.class, state));
            return MethodHandles.dropReturn(MethodHandles.insertArguments(run.bindTo(type.getConstructor().newInstance()), 0, step));
        }
        if (shape.startsWith("gemm:")) {
            int[] d = Arrays.stream(shape.substring(5).split(",")).mapToInt(Integer::parseInt).toArray();
            int m = d[0], n = d[1], k = d[2];
            Random rnd = new Random(1);
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
            Object gemm = loader.loadClass("slice.engine.kernels.Kernels").getField("GEMM").get(null);
            MethodHandle product = lookup.findVirtual(loader.loadClass("slice.engine.kernels.Gemm"), "gemm",
                    MethodType.methodType(void.class, boolean.class, boolean.class, int.class, int.class, int.class,
                            float[].class, int.class, int.class, float[].class, int.class, int.class, float[].class,
                            int.class, int.class, boolean.class));
            return MethodHandles.insertArguments(product.bindTo(gemm), 0, false, false, m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
        }
        Class<?> layer = loader.loadClass("slice.engine.Layer"), padding = loader.loadClass("slice.engine.layers.Padding");
        Object same = padding.getField("SAME").get(null);
        int[] hwc;
        Function<Object, Object> build;
        if (shape.startsWith("max:")) { // the kernel itself: a layer with a gradient buffer would keep winners
            Pooling p = Pooling.parse(shape);
            hwc = p.hwc;
            int pool = p.pool, stride = p.stride, oh = p.validOut(0), ow = p.validOut(1);
            Class<?> geometry = loader.loadClass("slice.engine.kernels.WindowGeometry");
            Object g = geometry.getConstructor(int.class, int.class, int.class, int.class, int.class, int.class, int.class,
                    int.class, int.class, int.class).newInstance(hwc[0], hwc[1], hwc[2], pool, pool, stride, 0, 0, oh, ow);
            float[] x = new float[BATCH * hwc[0] * hwc[1] * hwc[2]], y = new float[BATCH * oh * ow * hwc[2]];
            Random rnd = new Random(42);
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
            Object kernel = loader.loadClass("slice.engine.kernels.Kernels").getField("POOL").get(null);
            MethodHandle max = lookup.findVirtual(loader.loadClass("slice.engine.kernels.PoolKernel"), "maxForward",
                    MethodType.methodType(void.class, geometry, float[].class, float[].class, float[].class, int.class, int.class));
            return MethodHandles.insertArguments(max.bindTo(kernel), 0, g, x, y, null, 0, BATCH * oh);
        }
        if (shape.startsWith("avg:")) {
            Pooling p = Pooling.parse(shape);
            hwc = p.hwc;
            int pool = p.pool, stride = p.stride;
            Constructor<?> make = loader.loadClass("slice.engine.layers.AveragePooling2D")
                    .getConstructor(String.class, layer, int.class, int.class, padding);
            build = x -> {
                try {
                    return make.newInstance("pool", x, pool, stride, same);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        } else {
            String[] io = shape.split("[>/s]");
            hwc = Arrays.stream(io[0].split("x")).mapToInt(Integer::parseInt).toArray();
            int filters = Integer.parseInt(io[1]);
            int[] window = io.length > 2 ? Arrays.stream(io[2].split("x")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 1};
            int stride = io.length > 3 ? Integer.parseInt(io[3]) : 1;
            Constructor<?> conv = loader.loadClass("slice.engine.layers.Conv2D").getConstructor(String.class, layer,
                    int.class, int.class, int.class, int.class, int.class, padding, boolean.class);
            build = x -> {
                try {
                    return conv.newInstance("conv", x, filters, window[0], window[1], stride, stride, same, false);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        }
        Class<?> fixture = loader.loadClass("slice.bench.LayerFixture");
        Object f = fixture.getConstructor(int.class, int[].class, Function.class).newInstance(BATCH, hwc, build);
        Object node = fixture.getField("node").get(f);
        MethodHandle forward = lookup.findVirtual(node.getClass(), "forward", MethodType.methodType(void.class, boolean.class));
        return MethodHandles.insertArguments(forward.bindTo(node), 0, false);
    }

    /** {@code Inference} of {@code loader} for {@code model:NAME}, at {@code -Dbatch} images and {@code threads} threads, not set up. */
    private static Object inference(ClassLoader loader, String shape, int threads) throws Exception {
        Class<?> type = loader.loadClass("slice.bench.Inference");
        Object bench = type.getConstructor().newInstance();
        type.getField("model").set(bench, shape.substring(6));
        type.getField("batch").setInt(bench, BATCH);
        type.getField("threads").setInt(bench, threads);
        return bench;
    }

    /** The FMA probe of {@code jar} doing about {@code flops} FLOPs per call. */
    static MethodHandle probe(String jar, double flops) throws Throwable {
        ClassLoader loader = load(jar, 1);
        Constructor<?> make = loader.loadClass("slice.bench.VectorFmaPeak").getDeclaredConstructor();
        make.setAccessible(true);
        IntToDoubleFunction probe = (IntToDoubleFunction) make.newInstance();
        int lanes = loader.loadClass("slice.engine.Simd").getField("FLOAT_LANES").getInt(null);
        int rounds = (int) (flops / (2.0 * 12 * lanes)); // VectorFmaPeak: 12 chains, one FMA each per round
        MethodHandle apply = MethodHandles.publicLookup().findVirtual(IntToDoubleFunction.class, "applyAsDouble",
                MethodType.methodType(double.class, int.class));
        return MethodHandles.dropReturn(MethodHandles.insertArguments(apply.bindTo(probe), 0, rounds));
    }
}
