package slice.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Proves the suite really runs where Surefire says: with the vector module, and at 128 bits in the second run. */
class SimdTest {
    @Test
    void vectorKernelsAreActiveAtTheConfiguredWidth() {
        assertTrue(Simd.ENABLED, "tests run with --add-modules jdk.incubator.vector: " + Simd.describe());
        String expectedBits = System.getProperty("slice.expectedVectorBits");
        if (expectedBits != null) {
            assertEquals(Integer.parseInt(expectedBits), Simd.FLOAT_LANES * 32, Simd.describe());
        } else {
            assertTrue(Simd.FLOAT_LANES >= 4, Simd.describe());
        }
    }
}
