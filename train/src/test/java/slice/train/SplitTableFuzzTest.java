package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
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

    @BeforeAll static void makeScratch() throws IOException {
        scratch = new Scratch();
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    private static Throwable read(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("split.tsv", bytes);
            return Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> HeadEnrolment.readSplit(file), UserError.class);
        }
    }

    @Test
    void damagedTableIsReadOrRefusedInOneLine() {
        Cases.run(1420, 1500, Mutation::edits, edits -> Refusal.outcome(read(Mutation.applyAll(SEED, edits))))
                .assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** A byte that is not UTF-8 was a MalformedInputException; a NUL in a path an InvalidPathException. */
    @Test
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
