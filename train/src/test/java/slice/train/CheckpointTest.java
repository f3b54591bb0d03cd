package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.Tensor;
import slice.weights.io.AtomicFiles;

class CheckpointTest {
    @TempDir Path dir;

    private static Checkpoint sample(int epoch) {
        Tensor w = Tensor.wrap(new float[] {1.5f, -2f, Float.MIN_VALUE, 3e8f, 0f, -0f}, 2, 3);
        return new Checkpoint(RunIdentity.EMPTY.with("backbone", "mobilenetv2").with("lr", 0.001f), epoch, false, 2, 0.25,
                List.of(new EpochStats(1, 1.0, 0.5, 0.9, 0.55, 1.25, 1e-3), new EpochStats(2, 0.5, 0.8, 0.25, 0.9, 1.0, 9e-4)),
                Map.of("dense/kernel", w), Map.of("dense/kernel", w.copy()), Map.of("iterations", Tensor.wrap(new float[] {20}, 1)));
    }

    @Test
    void roundTripsExactly() throws IOException {
        Path f = dir.resolve("checkpoint.bin");
        Checkpoint c = sample(2);
        c.save(f);
        Checkpoint back = Checkpoint.load(f);
        assertEquals(c.run(), back.run());
        assertEquals("backbone mobilenetv2, lr 0.001", back.run().toString());
        assertEquals(2, back.epoch());
        assertEquals(c.history(), back.history());
        assertEquals(0.25, back.bestValLoss());
        assertArrayEquals(c.weights().get("dense/kernel").data, back.weights().get("dense/kernel").data);
        assertArrayEquals(new int[] {2, 3}, back.weights().get("dense/kernel").shape());
        assertEquals(20f, back.optimizer().get("iterations").data[0]);
    }

    @Test
    void aFailedWriteLeavesThePreviousCheckpointAndNoTempFile() throws IOException {
        Path f = dir.resolve("checkpoint.bin");
        sample(1).save(f);
        byte[] before = Files.readAllBytes(f);
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertFalse(Files.exists(dir.resolve("checkpoint.bin.tmp")));
    }

    @Test
    void truncatedOrForeignFilesAreOneLineUserErrors() throws IOException {
        Path f = dir.resolve("checkpoint.bin");
        sample(1).save(f);
        byte[] bytes = Files.readAllBytes(f);

        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        String truncated = assertThrows(UserError.class, () -> Checkpoint.load(f)).getMessage();
        assertTrue(truncated.startsWith(f + ": ") && truncated.endsWith("(a damaged checkpoint: delete it to start the run over)"),
                truncated);
        assertEquals(1, truncated.lines().count());

        Files.writeString(f, "hello, not a checkpoint");
        assertTrue(assertThrows(UserError.class, () -> Checkpoint.load(f)).getMessage().startsWith(f + ": not a safetensors file"));

        slice.weights.SafeTensors.write(f, Map.of("x", new Tensor(2)), Map.of("format", "something-else"));
        assertEquals(f + ": not a Slice checkpoint", assertThrows(UserError.class, () -> Checkpoint.load(f)).getMessage());
    }

    /** Where the data section of a safetensors file starts: after the 8-byte header length and the header. */
    private static int dataStart(byte[] bytes) {
        return 8 + (int) java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /**
     * The first tensor's first value is 1.5f (0x3FC00000, stored little-endian): setting its exponent bits gives NaN,
     * which is refused naming the tensor; changing its lowest mantissa byte gives a finite 1.5000001f, which only the
     * checksum catches. Both messages say what to do.
     */
    @Test
    void aFlippedExponentOrMantissaByteIsADamagedCheckpoint() throws IOException {
        Path f = dir.resolve("checkpoint.safetensors");
        sample(1).save(f);
        byte[] bytes = Files.readAllBytes(f);
        int first = dataStart(bytes);
        assertEquals(1.5f, java.nio.ByteBuffer.wrap(bytes, first, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat());

        byte[] nan = bytes.clone();
        nan[first + 3] = 0x7f;
        Files.write(f, nan);
        assertEquals(f + ": tensor weights:dense/kernel holds NaN at index 0 of 6 (values must be finite)"
                + " (a damaged checkpoint: delete it to start the run over)",
                assertThrows(UserError.class, () -> Checkpoint.load(f)).getMessage());

        byte[] nudged = bytes.clone();
        nudged[first] = 1;
        Files.write(f, nudged);
        assertEquals(f + ": its tensors do not match the checksum it records (a damaged checkpoint: delete it to start the run over)",
                assertThrows(UserError.class, () -> Checkpoint.load(f)).getMessage());

        Files.write(f, bytes);
        assertEquals(1, Checkpoint.load(f).epoch(), "the undamaged bytes load");
    }
}
