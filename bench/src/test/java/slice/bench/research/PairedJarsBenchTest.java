package slice.bench.research;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import slice.bench.LayerFixture;
import slice.engine.layers.Conv2D;
import slice.models.MobileNetV2;

/**
 * {@link PairedJarsBench} reaches the engine by reflection (the constructor of {@link Conv2D}, {@link LayerFixture},
 * {@code Kernels.GEMM}, {@code Kernels.POOL}, {@code AveragePooling2D}, {@code Inference}, {@code Training}, the FMA probe), so a change of those signatures would break it only when run: here every
 * kind of side is built from this build's classes, each in a class loader of its own, and alternated briefly.
 */
class PairedJarsBenchTest {
    /** This build's engine, models and bench classes, as a class path the harness loads on its own. */
    private static final String CLASSES = String.join(File.pathSeparator, location(Conv2D.class), location(MobileNetV2.class),
            location(LayerFixture.class));

    @Test
    void everyKindOfSideLoadsAndAlternates() throws Throwable {
        for (String shape : new String[] {"gemm:13,17,9", "5x7x3>4", "9x7x5>6/3x3s2", "avg:7x5x6/3x3s2", "max:7x5x6/3x3s2", "model:mobilenetv2"}) {
            MethodHandle a = PairedJarsBench.work(CLASSES, shape, 1), b = PairedJarsBench.work(CLASSES, shape, 1);
            assertSane(shape, PairedJarsBench.alternate(a, b, 1, 0.05, false));
            MethodHandle probe = PairedJarsBench.probe(CLASSES, PairedJarsBench.flops(shape));
            assertSane("probe against " + shape, PairedJarsBench.alternate(probe, b, 1, 0.05, false));
        }
    }

    /** With {@code -Dthreads=2} each side's engine runs on two threads of its own, timed by the wall clock. */
    @Test
    void sidesOnTwoThreadsAlternateByTheWallClock() throws Throwable {
        for (String shape : new String[] {"gemm:64,96,200", "model:mobilenetv2"}) {
            MethodHandle a = PairedJarsBench.work(CLASSES, shape, 2), b = PairedJarsBench.work(CLASSES, shape, 2);
            assertSane(shape, PairedJarsBench.alternate(a, b, 1, 0.05, true));
        }
    }

    /**
     * {@code full:NAME@B} and {@code step:NAME@B} run the full and the fine-tuning training step (at batch 2 here, so
     * the test needs no large heap) alternated as two sides, and the full step counts more FLOPs than the fine-tuning
     * one; without {@code @B} the batch is 32.
     */
    @Test
    void trainingStepsAlternateAndTheFullStepCountsEveryLayersGradients() throws Throwable {
        for (String shape : new String[] {"full:mobilenetv2@2", "step:mobilenetv2@2"}) {
            MethodHandle a = PairedJarsBench.work(CLASSES, shape, 1), b = PairedJarsBench.work(CLASSES, shape, 1);
            assertSane(shape, PairedJarsBench.alternate(a, b, 1, 0.05, false));
        }
        assertTrue(PairedJarsBench.flops("full:mobilenetv2@2") > PairedJarsBench.flops("step:mobilenetv2@2"));
        assertEquals(16 * PairedJarsBench.flops("full:mobilenetv2@2"), PairedJarsBench.flops("full:mobilenetv2"), 1e-6 * PairedJarsBench.flops("full:mobilenetv2"));
    }

    private static void assertSane(String what, PairedJarsBench.Pairs p) {
        assertTrue(p.count() >= 1 && p.medianNanosA() > 0 && p.medianNanosB() > 0, what + ": " + p);
        assertTrue(Double.isFinite(p.ratio()) && p.ratio() > 0 && p.lowerQuartile() <= p.ratio() && p.ratio() <= p.upperQuartile(),
                what + ": " + p);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
