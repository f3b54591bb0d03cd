package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;
import slice.train.data.Split;

/** A damaged {@code split.tsv}, as {@code enroll} reads it back ({@link HeadEnrolment#readSplit}):
 * rows or a one-line {@link UserError}.
 */
class SplitTableFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static final byte[] SEED = HeadEnrolment.splitTable(List.of(
            new HeadEnrolment.Row(Path.of("/data/faces/Zo\u00eb/1.jpg"), "Zo\u00eb", Split.Part.TRAIN),
            new HeadEnrolment.Row(Path.of("/data/faces/\u5f20\u4f1f/2.png"), "\u5f20\u4f1f", Split.Part.VAL),
            new HeadEnrolment.Row(Path.of("/data/faces/O'Brien/3.jpg"), "O'Brien", Split.Part.TEST))).getBytes(StandardCharsets.UTF_8);
    private static Scratch scratch;

    @BeforeContainer static void makeScratch() throws IOException {
        scratch = new Scratch();
    }

    @AfterContainer static void removeScratch() throws IOException {
        scratch.close();
    }

    @Provide Arbitrary<List<Mutation>> edits() {
        return Mutation.edits();
    }

    private static Throwable read(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("split.tsv", bytes);
            return Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> HeadEnrolment.readSplit(file), UserError.class);
        }
    }

    @Property(seed = "1420", tries = 1500)
    void damagedTableIsReadOrRefusedInOneLine(@ForAll("edits") List<Mutation> edits) throws IOException {
        Refusal.tally(read(Mutation.applyAll(SEED, edits)));
    }

    /** A byte that is not UTF-8 was a MalformedInputException; a NUL in a path an InvalidPathException. */
    @Example
    void aNonUtf8ByteOrANulInAPathIsRefusedInOneLine() throws IOException {
        Throwable notUtf8 = read(new Mutation.Run(17, 1, (byte) 0xff).apply(SEED));
        assertNotNull(notUtf8);
        assertEquals("not UTF-8 text (damaged?)", notUtf8.getMessage().substring(notUtf8.getMessage().indexOf("split.tsv: ") + 11));
        Throwable nul = read("/data/a\0b.jpg\tZo\u00eb\ttrain\n".getBytes(StandardCharsets.UTF_8));
        assertNotNull(nul);
        assertEquals("line 1: '/data/a\0b.jpg' is not a path (Nul character not allowed)",
                nul.getMessage().substring(nul.getMessage().indexOf("split.tsv: ") + 11));
    }
}
