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
}
