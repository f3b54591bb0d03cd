package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;
import slice.train.camera.FrameSource.Item;
import slice.train.camera.FrameSource.Lost;
import slice.train.camera.FrameSource.Skipped;

class MjpegFramesTest {
    private static final byte[] A = jpeg(() -> Jpegs.plain(48, 32, 1));
    private static final byte[] B = jpeg(() -> Jpegs.plain(40, 40, 2));
    private static final byte[] C = jpeg(() -> Jpegs.plain(24, 56, 3));
    private static final byte[] EXIF = Jpegs.withExifThumbnail(jpeg(() -> Jpegs.plain(64, 48, 4)), jpeg(() -> Jpegs.plain(16, 12, 5)));
    private static final byte[] RESTARTS = jpeg(() -> Jpegs.withRestarts(64, 48, 6, 2));
    private static final byte[] PROGRESSIVE = jpeg(() -> Jpegs.progressive(64, 48, 7));

    @Test
    void fixturesHaveTheStructuresUnderTest() throws IOException {
        int firstEoi = Jpegs.indexOf(EXIF, 0, 0xFF, 0xD9);
        assertTrue(firstEoi > 0 && firstEoi < EXIF.length - 2, "the thumbnail's EOI comes before the frame's end: " + firstEoi);
        assertEquals(2, Jpegs.count(EXIF, 0xFF, 0xD8, 0xFF), "two SOIs: the frame's and the thumbnail's");
        assertEquals(1, Jpegs.count(RESTARTS, 0xFF, 0xDD), "a DRI segment");
        int restarts = 0;
        for (int code = 0xD0; code <= 0xD7; code++) restarts += Jpegs.count(RESTARTS, 0xFF, code);
        assertEquals(64 / 16 * 48 / 16 / 2 - 1, restarts, "4 x 3 MCUs (4:2:0), one RST after every 2 but the last");
        assertTrue(Jpegs.count(PROGRESSIVE, 0xFF, 0xDA) > 1, "several scans");
        for (byte[] jpeg : List.of(A, B, C, EXIF, RESTARTS, PROGRESSIVE)) {
            assertTrue(ImageIO.read(new ByteArrayInputStream(jpeg)).getWidth() > 0, "decodable");
        }
    }

    @Test
    void splitsConcatenatedJpegsIntoTheSameBytes() throws IOException {
        byte[] stream = Jpegs.concat(A, EXIF, RESTARTS, PROGRESSIVE, B);
        List<byte[]> expected = List.of(A, EXIF, RESTARTS, PROGRESSIVE, B);
        for (InputStream in : List.of(new ByteArrayInputStream(stream), Jpegs.trickle(stream, 1, 0), Jpegs.trickle(stream, 9, 1))) {
            List<Item> items = readAll(new MjpegFrames(in, FrameSource.MAX_FRAME_BYTES));
            assertEquals(expected.size(), items.size());
            for (int i = 0; i < expected.size(); i++) {
                Frame frame = assertInstanceOf(Frame.class, items.get(i));
                assertEquals("frame " + (i + 1), frame.name());
                assertArrayEquals(expected.get(i), frame.bytes(), frame.name());
            }
        }
    }

    @Test
    void realPhotosSeparatedByNoiseComeBackByteIdentical() throws IOException {
        List<Path> photos = new ArrayList<>();
        for (String folder : List.of("images/face_api_samples", "faces/lfw_deepfunneled_min20/Alejandro_Toledo")) {
            try (Stream<Path> files = Files.list(SharedData.require(folder))) {
                files.filter(f -> f.toString().endsWith(".jpg")).sorted().forEach(photos::add);
            }
        }
        assertTrue(photos.size() > 40, "photos: " + photos.size());
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[] noise = {0x00, (byte) 0xFF, (byte) 0xD8, 0x00, 0x17};
        for (Path photo : photos) {
            stream.write(Files.readAllBytes(photo));
            stream.write(noise);
        }
        List<Item> items = readAll(new MjpegFrames(Jpegs.trickle(stream.toByteArray(), 1 << 16, 6), FrameSource.MAX_FRAME_BYTES));
        assertEquals(2 * photos.size(), items.size());
        for (int i = 0; i < photos.size(); i++) {
            assertArrayEquals(Files.readAllBytes(photos.get(i)), ((Frame) items.get(2 * i)).bytes(), photos.get(i).toString());
            assertEquals(new Skipped(noise.length), items.get(2 * i + 1));
        }
    }

    @Test
    void fillBytesBeforeAMarkerBelongToTheFrame() throws IOException {
        byte[] fill = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        byte[] filled = Jpegs.concat(Arrays.copyOf(A, 2), fill, Arrays.copyOfRange(A, 2, A.length));
        List<Item> items = readAll(new MjpegFrames(Jpegs.trickle(Jpegs.concat(filled, B), 3, 2), 1 << 20));
        assertEquals(2, items.size());
        assertArrayEquals(filled, ((Frame) items.get(0)).bytes());
        assertArrayEquals(B, ((Frame) items.get(1)).bytes());
    }

    @Test
    void bytesBetweenFramesAreSkippedAndCounted() throws IOException {
        byte[] noise = "camera says hello\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] almostSoi = {(byte) 0xFF, (byte) 0xD8, 0x00, (byte) 0xFF, (byte) 0xFF};
        byte[] stream = Jpegs.concat(noise, A, almostSoi, B, new byte[] {0x00, (byte) 0xFF});
        List<Item> items = readAll(new MjpegFrames(Jpegs.trickle(stream, 5, 3), 1 << 20));
        assertEquals(List.of(new Skipped(noise.length), "frame 1", new Skipped(almostSoi.length), "frame 2", new Skipped(2)),
                summary(items));
        assertArrayEquals(B, ((Frame) items.get(3)).bytes());
    }

    @Test
    void aStreamThatEndsInsideAFrameSaysSoWithItsLength() throws IOException {
        int cut = B.length - 100;
        List<Item> items = readAll(new MjpegFrames(new ByteArrayInputStream(Jpegs.concat(A, Arrays.copyOf(B, cut))), 1 << 20));
        assertEquals(List.of("frame 1", new Lost("frame 2", "stream ended inside a frame (" + cut + " bytes)")), summary(items));
    }

    @Test
    void aFrameCutShortByTheNextFrameIsLostAndTheNextIsRead() throws IOException {
        int cut = A.length - 50;
        List<Item> items = readAll(new MjpegFrames(Jpegs.trickle(Jpegs.concat(Arrays.copyOf(A, cut), B), 7, 4), 1 << 20));
        assertEquals(List.of(new Lost("frame 1", "cut short after " + cut + " bytes: the next frame began"), "frame 2"), summary(items));
        assertArrayEquals(B, ((Frame) items.get(1)).bytes());
    }

    @Test
    void brokenStructureLosesTheFrameAndResynchronises() throws IOException {
        byte[] broken = A.clone();
        int second = 4 + ((A[4] & 0xFF) << 8 | A[5] & 0xFF); // after SOI and the first segment: the second marker
        broken[second] = 0x12;
        List<Item> items = readAll(new MjpegFrames(new ByteArrayInputStream(Jpegs.concat(broken, B)), 1 << 20));
        assertEquals(new Lost("frame 1", "expected a JPEG marker at byte " + second + ", found 0x12"), items.get(0));
        // The search restarts after the broken frame's SOI: its remaining bytes hold no FF D8 FF, so they are skipped.
        assertEquals(List.of(new Skipped(A.length - 2), "frame 2"), summary(items.subList(1, items.size())));
        assertArrayEquals(B, ((Frame) items.get(2)).bytes());
    }

    @Test
    void aStuffedByteOrAShortLengthWhereAMarkerBelongsBreaksTheFrame() throws IOException {
        byte[] stuffed = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0x00, 0x11};
        byte[] shortLength = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDB, 0x00, 0x01, 0x11};
        assertEquals(List.of(new Lost("frame 1", "expected a JPEG marker at byte 2, found FF 00"), new Skipped(3), "frame 2"),
                summary(readAll(new MjpegFrames(new ByteArrayInputStream(Jpegs.concat(stuffed, B)), 1 << 20))));
        assertEquals(List.of(new Lost("frame 1", "segment FF DB at byte 2 has length 1"), new Skipped(5), "frame 2"),
                summary(readAll(new MjpegFrames(new ByteArrayInputStream(Jpegs.concat(shortLength, B)), 1 << 20))));
    }

    @Test
    void aFrameCutInsideItsExifSegmentIsLostAndTheFramesAfterItAreRead() throws IOException {
        byte[] stream = Jpegs.concat(Arrays.copyOf(EXIF, 40), A, B, C);
        List<Item> items = readAll(new MjpegFrames(new ByteArrayInputStream(stream), 1 << 20));
        // The cut APP1 segment claims more bytes than are left of it, so the parser passes into A and finds no marker
        // where the segment ends: frame 1 is lost. The search resumes after its SOI and finds the cut thumbnail's SOI
        // (frame 2), which breaks the same way; the search after that one finds A, then B and C, whole.
        List<String> kinds = items.stream()
                .map(i -> i instanceof Lost l ? "lost " + l.name() : i instanceof Frame f ? f.name() : "skipped").toList();
        assertEquals(List.of("lost frame 1", "skipped", "lost frame 2", "skipped", "frame 3", "frame 4", "frame 5"), kinds);
        assertArrayEquals(A, ((Frame) items.get(4)).bytes());
        assertArrayEquals(B, ((Frame) items.get(5)).bytes());
        assertArrayEquals(C, ((Frame) items.get(6)).bytes());
    }

    @Test
    void anOversizedFrameIsLostAndTheNextIsRead() throws IOException {
        byte[] big = Jpegs.plain(200, 150, 8);
        int limit = Math.max(A.length, B.length) + 10;
        assertTrue(big.length > limit);
        List<Item> items = readAll(new MjpegFrames(Jpegs.trickle(Jpegs.concat(A, big, B), 300, 5), limit));
        assertEquals(List.of("frame 1", new Lost("frame 2", "larger than " + limit + " bytes, the limit for one frame"), "frame 3"),
                summary(items));
        assertArrayEquals(B, ((Frame) items.get(2)).bytes());
    }

    @Test
    void theLimitCountsEveryByteOfTheFrame() throws IOException {
        assertArrayEquals(A, ((Frame) new MjpegFrames(new ByteArrayInputStream(A), A.length).next()).bytes());
        assertEquals(new Lost("frame 1", "larger than " + (A.length - 1) + " bytes, the limit for one frame"),
                new MjpegFrames(new ByteArrayInputStream(A), A.length - 1).next());
    }

    @Test
    void aHugeFrameDoesNotGrowTheBuffer() throws IOException {
        long scanBytes = 64L << 20;
        MjpegFrames frames = new MjpegFrames(new SequenceOfHugeFrame(scanBytes, A), 1 << 20);
        assertEquals(new Lost("frame 1", "larger than 1 MiB, the limit for one frame"), frames.next());
        Item next = frames.next();
        assertArrayEquals(A, ((Frame) next).bytes());
        assertNull(frames.next());
        assertTrue(frames.bufferBytes() <= (1 << 20) + (2 << 16) + 16, "buffer " + frames.bufferBytes());
    }

    @Test
    void anEmptyStreamEndsAtOnceAndAStreamWithoutFramesIsSkipped() throws IOException {
        assertNull(new MjpegFrames(new ByteArrayInputStream(new byte[0]), 1 << 20).next());
        byte[] h264 = {0, 0, 0, 1, 0x67, 0x42, (byte) 0xC0, 0x1E, (byte) 0xFF, (byte) 0xD8};
        assertEquals(List.of(new Skipped(h264.length)), readAll(new MjpegFrames(new ByteArrayInputStream(h264), 1 << 20)));
    }

    private static List<Item> readAll(MjpegFrames frames) throws IOException {
        List<Item> items = new ArrayList<>();
        for (Item item; (item = frames.next()) != null; ) items.add(item);
        assertNull(frames.next(), "stays ended");
        return items;
    }

    /** Frames as their names, other items as themselves: comparable with equals. */
    private static List<Object> summary(List<Item> items) {
        return items.stream().map(i -> i instanceof Frame f ? (Object) f.name() : i).toList();
    }

    /** SOI, a minimal SOS header, {@code scanBytes} of entropy-coded data without FF, EOI, then {@code after}. */
    private static final class SequenceOfHugeFrame extends InputStream {
        private final byte[] head = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xDA, 0, 8, 1, 1, 0, 0, 63, 0};
        private final byte[] tail;
        private final long total;
        private long at;

        SequenceOfHugeFrame(long scanBytes, byte[] after) {
            tail = Jpegs.concat(new byte[] {(byte) 0xFF, (byte) 0xD9}, after);
            total = head.length + scanBytes + tail.length;
        }

        @Override public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (at >= total) return -1;
            int n = (int) Math.min(len, total - at);
            long scanEnd = total - tail.length;
            for (int i = 0; i < n; i++, at++) {
                b[off + i] = at < head.length ? head[(int) at] : at < scanEnd ? (byte) (at % 251) : tail[(int) (at - scanEnd)];
            }
            return n;
        }
    }

    private interface Bytes {
        byte[] get() throws IOException;
    }

    private static byte[] jpeg(Bytes make) {
        try {
            return make.get();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
