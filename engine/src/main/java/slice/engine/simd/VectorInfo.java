package slice.engine.simd;

import java.util.function.Supplier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Reports the lane count of the process-wide species; loaded by {@link slice.engine.Simd}. */
public final class VectorInfo implements Supplier<Integer> {
    /** The one species of the whole engine: preferred width, capped by -XX:MaxVectorSize. */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Override public Integer get() { return F.length(); }
}
