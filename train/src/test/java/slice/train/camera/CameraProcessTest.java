package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A camera loop in its own JVM reading stdin, stopped as Ctrl-C or {@code kill} stop it: by a signal. */
@Timeout(60)
class CameraProcessTest {

    /** The child: prints each frame's name and size, as predict --stream will print faces. */
    public static void main(String[] args) throws InterruptedException {
        CameraLoop loop = new CameraLoop(new MjpegFrames(System.in, FrameSource.MAX_FRAME_BYTES),
                frame -> List.of(frame.name() + "\t" + frame.bytes().length), 1, System.out::println, System.err::println);
        Runtime.getRuntime().addShutdownHook(loop.shutdownHook());
        loop.run();
    }

    @Test
    void aSignalWhileWaitingForFramesPrintsTheSummaryOnceAndNoStackTrace() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CameraProcessTest.class.getName()).start();
        try {
            byte[] a = Jpegs.plain(48, 32, 1), b = Jpegs.plain(40, 40, 2);
            OutputStream stdin = child.getOutputStream();
            BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            // One frame at a time (two at once could drop the first, rightly), then the start of a third.
            for (byte[] frame : List.of(a, b)) {
                stdin.write(frame);
                stdin.flush();
                String line = stdout.readLine();
                assertTrue(line != null && line.matches("frame \\d\t" + frame.length + "\t\\d+ ms"), line);
            }
            stdin.write(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
            stdin.flush();
            child.toHandle().destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C (SIGINT)
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            String stderr = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = stderr.lines().toList();
            assertEquals(1, lines.size(), "exit " + child.exitValue() + ", stderr: " + stderr);
            assertTrue(lines.get(0).startsWith("frames: 2 arrived (") && lines.get(0).contains(" 2 processed ("), stderr);
        } finally {
            child.destroyForcibly();
        }
    }
}
