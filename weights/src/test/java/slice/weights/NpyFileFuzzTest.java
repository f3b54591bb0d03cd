package slice.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;
import slice.engine.Tensor;

/** {@link NpyFile#read} on damaged copies of small valid files: a tensor or a one-line {@link IOException}, nothing else. */
class NpyFileFuzzTest {
    /** A loader of files of a few hundred bytes has no business allocating more. */
    private static final long MAX_BYTES = 16 << 20;

    /** Valid files of rank 0 to 4, as {@link NpyFile#write} and numpy write them. */
    private static final List<byte[]> SEEDS = seeds();

    private static List<byte[]> seeds() {
        List<byte[]> out = new ArrayList<>();
        try {
            Path dir = Files.createTempDirectory("npy-seeds");
            for (int[] shape : new int[][] {{}, {5}, {2, 3}, {2, 3, 1, 2}}) {
                Tensor t = new Tensor(shape);
                for (int i = 0; i < t.size(); i++) t.data[i] = i - 1.5f;
                Path f = dir.resolve("seed.npy");
                NpyFile.write(f, t);
                out.add(Files.readAllBytes(f));
                NpyFile.read(f);    // a seed that does not load would make every case a refusal
                Files.delete(f);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Scratch scratch;

    @BeforeAll static void makeScratch() throws IOException {
        scratch = new Scratch();
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    /** Which seed file, damaged how. */
    record Case(int seed, List<Mutation> edits) { }

    @Test
    void damagedFileLoadsOrIsRefusedInOneLine() {
        Cases.run(1400, 3000, r -> new Case(r.nextInt(SEEDS.size()), Mutation.edits(r)), c -> {
            try (Scratch.Try t = scratch.newTry()) {
                Path file = t.write("x.npy", Mutation.applyAll(SEEDS.get(c.seed()), c.edits()));
                return Refusal.outcome(Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> NpyFile.read(file), IOException.class));
            }
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    /** A version 1.0 file with this header text (padded as numpy pads it) and {@code dataBytes} bytes of data. */
    private static byte[] npy(String header, int dataBytes) {
        StringBuilder h = new StringBuilder(header);
        while ((10 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
        b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    private static String refusal(byte[] bytes) throws Exception {
        try (Scratch.Try t = scratch.newTry()) {
            Path file = t.write("x.npy", bytes);
            Throwable thrown = Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> NpyFile.read(file), IOException.class);
            assertNotNull(thrown, "refused");
            assertTrue(thrown.getMessage().startsWith(file + ": "), thrown.getMessage());
            return thrown.getMessage().substring(file.toString().length() + 2);
        }
    }

    /** Found by the fuzz test: a line break in a malformed header was echoed into the message, which became two lines. */
    @Test
    void aLineBreakInAMalformedHeaderStaysOnTheMessagesOneLine() throws Exception {
        assertEquals("malformed .npy header: {'<U+000A>descr': '<f4', 'shape': (2, 3), }",
                refusal(npy("{'\ndescr': '<f4', 'shape': (2, 3), }", 24)));
    }

    /** A negative dimension used to reach the tensor's allocation (NegativeArraySizeException). */
    @Test
    void aNegativeDimensionIsRefusedBeforeAllocating() throws Exception {
        assertEquals("shape [-1, 3] in the .npy header has a negative dimension",
                refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 3), }", 12)));
    }

    /** A 128-byte file declaring [20000, 96, 96, 3] is refused by its length, without allocating the 2.2 GB it declares. */
    @Test
    void aHugeDeclaredShapeIsRefusedByTheFilesLength() throws Exception {
        assertEquals("shape [20000, 96, 96, 3] needs 2211840000 bytes of data, file has 0 (truncated)",
                refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (20000, 96, 96, 3), }", 0)));
        assertEquals("shape [100000, 100000] declares more values than one array holds (2147483639)",
                refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", 0)));
    }
}
