package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of fine-tuning, then the same command again: it continues from the last finished epoch and
 * writes exactly the model an uninterrupted run writes. 10 AT&T people, MobileNetV2 α0.35 at 96 px, the last blocks
 * fine-tuned (batch norms in training mode), one augmented copy: every kind of training state is in the checkpoint.
 */
class ResumeAfterKillTest {
    @TempDir Path tmp;

    private List<String> command(Path faces, Path weights, Path out) {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "--add-modules", "jdk.incubator.vector", "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--data", faces.toString(), "--faces", "whole", "--model", "mobilenetv2", "--alpha", "0.35", "--size", "96", "--weights", weights.toString(),
                "--fine-tune-from", "block_13_expand_relu", "--augment", "1", "--epochs", "8", "--patience", "8", "--batch", "16",
                "--out", out.toString(), "--cache", tmp.resolve("cache").toString()));
        return cmd;
    }

    @Test
    void killedRunResumesToTheSameModel() throws Exception {
        Path source = RealData.attFaces();
        Path weights = RealData.mobileNetV2Alpha035();
        Path faces = tmp.resolve("faces");
        for (int person = 1; person <= 10; person++) {
            Files.createDirectories(faces.resolve("s" + person));
            for (int i = 1; i <= 10; i++) {
                Files.copy(source.resolve("s" + person + "/" + i + ".pgm"), faces.resolve("s" + person + "/" + i + ".pgm"));
            }
        }

        Path whole = tmp.resolve("whole");
        Process uninterrupted = new ProcessBuilder(command(faces, weights, whole)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("whole.log").toFile()).start();
        assertEquals(0, uninterrupted.waitFor(), Files.readString(tmp.resolve("whole.log")));

        Path killed = tmp.resolve("killed");
        Process victim = new ProcessBuilder(command(faces, weights, killed)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("epoch 2/8")) {
                    victim.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
                    break;
                }
            }
        }
        victim.waitFor();
        int reached = Checkpoint.load(killed.resolve(TrainCommand.CHECKPOINT)).epoch();
        assertTrue(reached >= 2 && reached < 8, "killed after epoch " + reached);
        assertTrue(Files.notExists(killed.resolve(TrainCommand.MODEL)));

        Process again = new ProcessBuilder(command(faces, weights, killed)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("again.log").toFile()).start();
        assertEquals(0, again.waitFor());
        String log = Files.readString(tmp.resolve("again.log"));
        assertTrue(log.contains("resuming the run checkpointed in"), log);
        assertTrue(!log.contains("epoch 1/8") && log.contains("epoch 8/8"), log);
        assertArrayEquals(Files.readAllBytes(whole.resolve(TrainCommand.MODEL)), Files.readAllBytes(killed.resolve(TrainCommand.MODEL)));
    }
}
