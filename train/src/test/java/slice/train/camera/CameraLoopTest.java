package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import slice.train.camera.FrameSource.Item;
import slice.train.data.DataException;
import slice.train.data.ImageDecoder;
import slice.train.data.RgbImage;

@Timeout(60)
class CameraLoopTest {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aSlowProcessorSeesOnlyTheNewestFrameAndTheRestAreCountedDropped() throws Exception {
        // Frame 1 is taken; while it is processed, frames 2, 3, 4 arrive: the single slot keeps 4, dropping 2 and 3.
        assertEquals(List.of("frame 1", "frame 4"), namesProcessedWhileBusy(1, 2));
        // With two slots only frame 2 is dropped.
        assertEquals(List.of("frame 1", "frame 3", "frame 4"), namesProcessedWhileBusy(2, 1));
    }

    /** Runs frames 1..4 past a processor that is busy with frame 1 until all have arrived; the frames it processed. */
    private List<String> namesProcessedWhileBusy(int capacity, int expectedDrops) throws Exception {
        lines.clear();
        messages.clear();
        CountDownLatch busy = new CountDownLatch(1), allArrived = new CountDownLatch(1);
        ScriptedSource source = new ScriptedSource(
                () -> frame("frame 1"),
                () -> {
                    busy.await(); // frame 1 has left the queue
                    return frame("frame 2");
                },
                () -> frame("frame 3"),
                () -> frame("frame 4"),
                () -> {
                    allArrived.countDown(); // frame 4 was put before the reader asked for more
                    return null;
                });
        FrameProcessor processor = f -> {
            if (f.name().equals("frame 1")) {
                busy.countDown();
                await(allArrived);
            }
            return List.of(f.name() + "\tface");
        };
        FrameStats stats = new CameraLoop(source, processor, capacity, lines::add, messages::add).run();
        assertEquals(4, stats.arrived());
        assertEquals(4 - expectedDrops, stats.processed());
        assertEquals(expectedDrops, stats.dropped());
        assertEquals(0, stats.corrupt());
        assertEquals(List.of(stats.summary()), messages);
        assertTrue(source.closed, "run closes the source");
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split("\t");
            assertEquals(3, fields.length, line);
            assertEquals("face", fields[1]);
            assertTrue(fields[2].matches("\\d+ ms"), line);
            names.add(fields[0]);
        }
        return names;
    }

    @Test
    void lostAndRejectedFramesAreWarnedOnceEachAndCounted() throws Exception {
        ScriptedSource source = new ScriptedSource(
                () -> frame("frame 1"),
                () -> new FrameSource.Lost("frame 2", "stream ended inside a frame (10 bytes)"),
                () -> new FrameSource.Skipped(5),
                () -> frame("frame 3"),
                () -> frame("frame 4"),
                () -> frame("frame 5"));
        FrameProcessor processor = f -> switch (f.name()) {
            case "frame 3" -> throw new IOException("not a JPEG");
            case "frame 4" -> throw new DataException("image is 0 x 0 pixels");
            default -> List.of(f.name() + "\talice", f.name() + "\tbob");
        };
        FrameStats stats = new CameraLoop(source, processor, 8, lines::add, messages::add).run();
        assertEquals(List.of("frame 1\talice", "frame 1\tbob", "frame 5\talice", "frame 5\tbob"),
                lines.stream().map(l -> l.substring(0, l.lastIndexOf('\t'))).toList());
        assertEquals(List.of("warning: frame 2: stream ended inside a frame (10 bytes); skipped",
                        "warning: frame 3: not a JPEG; skipped",
                        "warning: frame 4: image is 0 x 0 pixels; skipped",
                        "warning: skipped 5 bytes that belong to no JPEG frame"),
                messages.subList(0, 4).stream().sorted().toList());
        assertEquals(stats.summary(), messages.get(4));
        assertEquals(5, messages.size());
        assertEquals(4, stats.arrived());
        assertEquals(2, stats.processed());
        assertEquals(3, stats.corrupt());
        assertEquals(0, stats.dropped());
        assertEquals(5, stats.skippedBytes());
    }

    @Test
    void aFailingSourceEndsTheLoopWithOneLine() throws Exception {
        ScriptedSource source = new ScriptedSource(() -> frame("frame 1"), () -> {
            throw new IOException("Input/output error");
        });
        FrameStats stats = new CameraLoop(source, f -> List.of(f.name()), 1, lines::add, messages::add).run();
        assertEquals(1, stats.processed());
        assertEquals(List.of("warning: reading frames failed (Input/output error); stopping", stats.summary()), messages);
    }

    @Test
    void aBugInTheProcessorIsThrownAfterTheSummary() {
        ScriptedSource source = new ScriptedSource(() -> frame("frame 1"));
        CameraLoop loop = new CameraLoop(source, f -> {
            throw new IllegalStateException("bug");
        }, 1, lines::add, messages::add);
        assertEquals("bug", assertThrows(IllegalStateException.class, loop::run).getMessage());
        assertEquals(List.of(loop.stats().summary()), messages);
    }

    @Test
    void stopAndTheShutdownHookEndAWaitingLoopAndSummariseOnce() throws Exception {
        CountDownLatch closing = new CountDownLatch(1), processed = new CountDownLatch(1);
        ScriptedSource source = new ScriptedSource(() -> frame("frame 1"), () -> {
            closing.await(); // a camera that sends nothing more
            return null;
        }) {
            @Override public void close() {
                super.close();
                closing.countDown();
            }
        };
        CameraLoop loop = new CameraLoop(source, f -> {
            processed.countDown();
            return List.of(f.name());
        }, 1, lines::add, messages::add);
        CompletableFuture<FrameStats> run = CompletableFuture.supplyAsync(() -> {
            try {
                return loop.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(processed.await(5, TimeUnit.SECONDS));
        Thread hook = loop.shutdownHook(); // what the JVM runs on Ctrl-C
        hook.start();
        hook.join(5000);
        FrameStats stats = run.get(5, TimeUnit.SECONDS);
        loop.shutdownHook().run(); // the JVM's normal exit runs the hook again: nothing more is printed
        assertEquals(1, stats.processed());
        assertEquals(List.of(stats.summary()), messages);
        assertTrue(source.closed);
    }

    @Test
    void decodesAnMjpegStreamEndToEnd() throws Exception {
        byte[] a = Jpegs.plain(48, 32, 1), b = Jpegs.withRestarts(64, 48, 2, 1), c = Jpegs.plain(40, 40, 3);
        byte[] emptyImage = a.clone();
        int sof = Jpegs.indexOf(emptyImage, 0, 0xFF, 0xC0);
        emptyImage[sof + 5] = 0; // height 0: the structure is intact, the decoder refuses it
        emptyImage[sof + 6] = 0;
        byte[] stream = Jpegs.concat(a, emptyImage, b, Arrays.copyOf(c, c.length / 2));
        FrameProcessor decodeAndDescribe = f -> {
            RgbImage image = ImageDecoder.decode(f.bytes());
            return List.of(f.name() + "\t" + image.width() + "x" + image.height());
        };
        MjpegFrames source = new MjpegFrames(new ByteArrayInputStream(stream), FrameSource.MAX_FRAME_BYTES);
        FrameStats stats = new CameraLoop(source, decodeAndDescribe, 8, lines::add, messages::add).run();
        assertEquals(List.of("frame 1\t48x32", "frame 3\t64x48"), lines.stream().map(l -> l.substring(0, l.lastIndexOf('\t'))).toList());
        assertEquals(3, messages.size(), messages.toString());
        String cut = "warning: frame 4: stream ended inside a frame (" + c.length / 2 + " bytes); skipped";
        assertTrue(messages.contains(cut), messages.toString());
        long decodeWarnings = messages.stream().filter(m -> m.startsWith("warning: frame 2: ") && m.endsWith("; skipped")).count();
        assertEquals(1, decodeWarnings, messages.toString());
        assertEquals(2, stats.processed());
        assertEquals(2, stats.corrupt());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Frame frame(String name) {
        return new Frame(name, name.getBytes(StandardCharsets.US_ASCII), System.nanoTime());
    }

    /** A source that runs its steps in order, one per call of next(), then ends. */
    private static class ScriptedSource implements FrameSource {
        interface Step {
            Item next() throws IOException, InterruptedException;
        }

        private final List<Step> steps;
        private int at;
        volatile boolean closed;

        ScriptedSource(Step... steps) {
            this.steps = List.of(steps);
        }

        @Override public Item next() throws IOException, InterruptedException {
            return at < steps.size() ? steps.get(at++).next() : null;
        }

        @Override public void close() {
            closed = true;
        }
    }
}
