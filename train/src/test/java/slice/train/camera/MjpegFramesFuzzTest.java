package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;

/**
 * {@link MjpegFrames} on a damaged stream of JPEG frames: it never throws, it ends, every frame it gives is one JPEG
 * from SOI to EOI taken from the stream, every loss is a one-line reason, and its buffer stays bounded by the frame
 * limit whatever the stream declares.
 */
class MjpegFramesFuzzTest {
    /** Small, so that damaged lengths and runaway scans hit the limit. */
    private static final int MAX_FRAME = 4096;
    private static final byte[] STREAM = stream();

    /** A restart-marker frame, a plain one, a progressive one and another plain one, back to back. */
    private static byte[] stream() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(Jpegs.withRestarts(24, 16, 1, 2));
            out.write(Jpegs.plain(16, 16, 2));
            out.write(Jpegs.progressive(16, 8, 3));
            out.write(Jpegs.plain(8, 8, 4));
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads every item; returns how many frames came out whole and how many were lost. */
    private static int[] readAll(byte[] bytes) throws IOException, InterruptedException {
        MjpegFrames frames = new MjpegFrames(new ByteArrayInputStream(bytes), MAX_FRAME);
        long kept = 0;
        int whole = 0, lostFrames = 0;
        for (FrameSource.Item item; (item = frames.next()) != null; ) {
            if (item instanceof Frame f) {
                byte[] b = f.bytes();
                assertTrue(b.length >= 4 && b[0] == (byte) 0xFF && b[1] == (byte) 0xD8 && b[b.length - 2] == (byte) 0xFF
                        && b[b.length - 1] == (byte) 0xD9, f.name() + " is not SOI … EOI");
                assertTrue(b.length <= MAX_FRAME, f.name() + " over the limit");
                kept += b.length;
                whole++;
            } else if (item instanceof FrameSource.Lost lost) {
                assertTrue(lost.reason().indexOf('\n') < 0 && !lost.reason().isBlank(), lost.reason());
                lostFrames++;
            }
        }
        assertTrue(kept <= bytes.length, "frames hold more bytes than the stream");
        assertTrue(frames.bufferBytes() <= MAX_FRAME + 2 * (64 << 10) + 16, "buffer of " + frames.bufferBytes());
        return new int[] {whole, lostFrames};
    }

    @Test
    void damagedStreamGivesFramesAndLossesNeverAnException() {
        Cases.run(1414, 2000, Mutation::edits, edits -> {
            byte[] bytes = Mutation.applyAll(STREAM, edits);
            int[][] read = new int[1][];
            Refusal.assertReturnsOrRefuses(16 << 20, () -> read[0] = readAll(bytes));
            int[] counts = read[0];
            return counts[1] == 0 ? "none lost" : counts[0] == 0 ? "all lost" : "some lost";
        }).assertSeen("none lost", "some lost");    // damage that never loses a frame, or always all of them, tests nothing
    }

    @Test
    void theUndamagedStreamGivesItsFourFrames() throws Exception {
        assertArrayEquals(new int[] {4, 0}, readAll(STREAM));
    }
}
