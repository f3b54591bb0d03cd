package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import slice.train.UserError;
import slice.train.camera.FrameSource.Item;

@Timeout(60)
class DirectoryFramesTest {
    private static final Duration SETTLE = Duration.ofMillis(150);

    @TempDir Path dir;

    @Test
    void aFileWrittenSlowlyIsReadOnlyWhenComplete() throws Exception {
        byte[] jpeg = Jpegs.plain(64, 48, 1);
        try (DirectoryFrames frames = new DirectoryFrames(dir, false, SETTLE, FrameSource.MAX_FRAME_BYTES)) {
            CompletableFuture<Item> first = nextAsync(frames);
            // 40 pieces 5 ms apart: the writing lasts longer than the settle time, each pause much less.
            long longestPause = 0;
            try (OutputStream out = Files.newOutputStream(dir.resolve("frame0000.jpg"))) {
                int piece = (jpeg.length + 39) / 40;
                long last = System.nanoTime();
                for (int at = 0; at < jpeg.length; at += piece) {
                    out.write(jpeg, at, Math.min(piece, jpeg.length - at));
                    out.flush();
                    longestPause = Math.max(longestPause, System.nanoTime() - last);
                    last = System.nanoTime();
                    Thread.sleep(5);
                }
            }
            Frame frame = (Frame) first.get(10, TimeUnit.SECONDS);
            // A machine so loaded that one pause lasted the settle time makes an early read correct: nothing to judge.
            assumeTrue(longestPause < SETTLE.toNanos() / 2, "a pause between writes lasted " + longestPause / 1_000_000 + " ms");
            assertEquals(dir.resolve("frame0000.jpg").toString(), frame.name());
            assertArrayEquals(jpeg, frame.bytes());
        }
    }

    @Test
    void aRenamedFileIsReadOnceAndTemporaryHiddenAndLinkedFilesNever() throws Exception {
        byte[] first = Jpegs.plain(32, 32, 2), second = Jpegs.plain(32, 32, 3);
        try (DirectoryFrames frames = new DirectoryFrames(dir, false, SETTLE, FrameSource.MAX_FRAME_BYTES)) {
            Path temp = Files.write(dir.resolve(".frame0001.jpg.tmp"), first);
            Files.write(dir.resolve("frame0002.jpg.part"), first);
            Files.write(dir.resolve("notes.txt~"), first);
            Files.move(temp, dir.resolve("frame0001.jpg"), StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(dir.resolve("latest.jpg"), dir.resolve("frame0001.jpg"));
            Frame renamed = (Frame) frames.next();
            assertEquals(dir.resolve("frame0001.jpg").toString(), renamed.name());
            assertArrayEquals(first, renamed.bytes());
            // Written after the others settled: anything wrongly taken among them would come first.
            Files.write(dir.resolve("frame0003.jpg"), second);
            Frame next = (Frame) frames.next();
            assertEquals(dir.resolve("frame0003.jpg").toString(), next.name());
            assertArrayEquals(second, next.bytes());
        }
    }

    @Test
    void existingFilesAreFramesOnlyWhenAskedForInNameOrder() throws Exception {
        for (String name : List.of("frame0002.jpg", "frame0000.jpg", "frame0001.jpg")) Files.write(dir.resolve(name), name.getBytes());
        try (DirectoryFrames frames = new DirectoryFrames(dir, true, SETTLE, FrameSource.MAX_FRAME_BYTES)) {
            assertEquals(List.of("frame0000.jpg", "frame0001.jpg", "frame0002.jpg"),
                    List.of(fileName(frames.next()), fileName(frames.next()), fileName(frames.next())));
        }
        try (DirectoryFrames frames = new DirectoryFrames(dir, false, SETTLE, FrameSource.MAX_FRAME_BYTES)) {
            Files.write(dir.resolve("frame0003.jpg"), new byte[] {1, 2, 3});
            Frame frame = (Frame) frames.next();
            assertEquals("frame0003.jpg", fileName(frame));
            assertArrayEquals(new byte[] {1, 2, 3}, frame.bytes());
        }
    }

    @Test
    void aRewrittenFileIsReadAgainAndAnOversizedOneIsLost() throws Exception {
        try (DirectoryFrames frames = new DirectoryFrames(dir, false, SETTLE, 100)) {
            Files.write(dir.resolve("frame.jpg"), new byte[10]);
            assertEquals(10, ((Frame) frames.next()).bytes().length);
            byte[] rewritten = new byte[20];
            Arrays.fill(rewritten, (byte) 7);
            Files.write(dir.resolve("frame.jpg"), rewritten);
            assertArrayEquals(rewritten, ((Frame) frames.next()).bytes());
            Files.write(dir.resolve("huge.jpg"), new byte[101]);
            assertEquals(new FrameSource.Lost(dir.resolve("huge.jpg").toString(), "larger than 100 bytes, the limit for one frame"),
                    frames.next());
        }
    }

    @Test
    void closeEndsAWaitingNextAndAMissingFolderIsAUserError() throws Exception {
        DirectoryFrames frames = new DirectoryFrames(dir, false, SETTLE, FrameSource.MAX_FRAME_BYTES);
        CompletableFuture<Item> waiting = nextAsync(frames);
        frames.close();
        assertNull(waiting.get(5, TimeUnit.SECONDS));
        Path missing = dir.resolve("no-such-folder");
        UserError e = assertThrows(UserError.class, () -> new DirectoryFrames(missing, false, SETTLE, 100));
        assertEquals(missing + ": not a folder", e.getMessage());
    }

    private static String fileName(Item item) {
        return Path.of(((Frame) item).name()).getFileName().toString();
    }

    private static CompletableFuture<Item> nextAsync(DirectoryFrames frames) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return frames.next();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
