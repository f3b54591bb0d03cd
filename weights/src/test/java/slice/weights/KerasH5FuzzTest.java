package slice.weights;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static slice.weights.KerasFixtures.FileLayer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Graph;
import slice.engine.Input;
import slice.engine.Layer;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;
import slice.engine.layers.BatchNorm;
import slice.engine.layers.Conv2D;
import slice.engine.layers.Dense;
import slice.engine.layers.Padding;

/**
 * Keras {@code .h5} files (read with jHDF) damaged: {@link KerasImport#load} fills the network or refuses with a
 * one-line {@link WeightsException} — never one of jHDF's own exceptions, a buffer exception or an out-of-memory.
 */
class KerasH5FuzzTest {
    /** jHDF reads a few-KB file through buffers of its own; a declared size believed would be far more. */
    private static final long MAX_BYTES = 64 << 20;
    private static Scratch scratch;
    private static final List<byte[]> SEEDS = new ArrayList<>();

    /** input 6×6×3 → Conv1 3×3×3→4 → bn_Conv1 → (flatten stub) → predictions 4→5 with bias. */
    private static Graph net() {
        Input in = new Input("input_1", 6, 6, 3);
        Conv2D conv = new Conv2D("Conv1", in, 4, 3, 3, 1, 1, Padding.SAME, false);
        BatchNorm bn = new BatchNorm("bn_Conv1", conv, true, 1e-3f, 0.999f);
        Layer flat = new KerasFixtures.Stub("flat", bn, 4);
        return new Graph(in, new Dense("predictions", flat, 5, true));
    }

    @BeforeAll static void makeSeeds() throws IOException {
        scratch = new Scratch();
        int[] bn = {4};
        List<FileLayer> layers = List.of(
                FileLayer.of("Conv1", "kernel", new int[] {3, 3, 3, 4}),
                FileLayer.of("bn_Conv1", "gamma", bn, "beta", bn, "moving_mean", bn, "moving_variance", bn),
                FileLayer.of("predictions", "kernel", new int[] {4, 5}, "bias", new int[] {5}));
        // A weights-only file, and a whole-model file whose layer_names is split in two chunks.
        for (boolean wholeModel : new boolean[] {false, true}) {
            try (Scratch.Try t = scratch.newTry()) {
                Path f = KerasFixtures.write(t.path("seed.h5"), layers, wholeModel, wholeModel ? 2 : 1);
                SEEDS.add(Files.readAllBytes(f));
                KerasImport.load(f, net());    // a seed that does not load would make every case a refusal
            }
        }
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    /** Which seed file, damaged how. */
    record Case(int seed, List<Mutation> edits) { }

    @Test
    void damagedFileLoadsOrIsRefusedInOneLine() {
        Cases.run(1408, 2000, r -> new Case(r.nextInt(SEEDS.size()), Mutation.edits(r)), c -> {
            try (Scratch.Try t = scratch.newTry()) {
                Path file = t.write("x.h5", Mutation.applyAll(SEEDS.get(c.seed()), c.edits()));
                Throwable thrown = Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> KerasImport.load(file, net()), WeightsException.class);
                return Refusal.outcome(thrown);
            }
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    private static Throwable refusal(int seed, Mutation edit, long maxBytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("x.h5", edit.apply(SEEDS.get(seed)));
            Throwable thrown = Refusal.assertReturnsOrRefuses(maxBytes, () -> KerasImport.load(file, net()), WeightsException.class);
            assertNotNull(thrown, "refused");
            assertTrue(thrown.getMessage().startsWith(file + ": "), thrown.getMessage());
            return thrown;
        }
    }

    /** Found by the fuzz test: a superblock whose base address reads as negative threw jHDF's ArithmeticException. */
    @Test
    void aNegativeBaseAddressIsRefusedInOneLine() throws IOException {
        Throwable refusal = refusal(0, new Mutation.Field(12, 8, -65536, true), MAX_BYTES);
        assertInstanceOf(ArithmeticException.class, refusal.getCause());
    }

    /**
     * Found by the fuzz test: one flipped bit in an object header's size made jHDF allocate the 134 MB it declared before
     * finding the header damaged; the file is now mapped, and a structure past its end is refused without allocating.
     */
    @Test
    void aHugeObjectHeaderIsRefusedWithoutAllocatingItsDeclaredSize() throws IOException {
        refusal(1, new Mutation.FlipBit(493, 3), 4 << 20);
    }
}
