package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.weights.KerasH5File;

/**
 * NaN and infinity through the command line, on three AT&T people with MobileNetV2 α0.35 at 96 px: a diverging run, a
 * non-finite weight in the backbone's {@code .h5}, and a checkpoint whose exponent byte was flipped each end in exit 2
 * with one line that says what happened and what to do, and no file holds a NaN.
 */
class NonFiniteTest {
    @TempDir Path tmp;

    private Path faces() throws Exception {
        return RealData.copyOfPeople("faces/att_faces", List.of("s1", "s2", "s3"), 10, tmp.resolve("faces"));
    }

    private String[] train(Path faces, Path weights, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", faces.toString(), "--faces", "whole", "--model", "mobilenetv2",
                "--alpha", "0.35", "--size", "96", "--weights", weights.toString(), "--epochs", "2", "--batch", "8",
                "--out", out.toString(),
                "--cache", tmp.resolve("cache").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /**
     * A copy of the Keras file {@code h5} with value {@code index} of tensor {@code tensorPath} set to {@code value}: the
     * tensor's stored bytes (float32 little-endian, uncompressed as Keras writes them) are found by their content.
     */
    static Path withValue(Path h5, String tensorPath, int index, float value, Path copy) throws Exception {
        float[] values;
        try (KerasH5File file = KerasH5File.open(h5)) {
            KerasH5File.Tensor t = file.layers().stream().flatMap(l -> l.tensors().stream()).filter(x -> x.path().equals(tensorPath))
                    .findFirst().orElseThrow();
            values = file.read(t);
        }
        ByteBuffer pattern = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) pattern.putFloat(v);
        byte[] bytes = Files.readAllBytes(h5), p = pattern.array();
        int at = -1;
        for (int i = 0; i + p.length <= bytes.length && at < 0; i++) if (Arrays.equals(bytes, i, i + p.length, p, 0, p.length)) at = i;
        assertTrue(at >= 0, tensorPath + " is stored contiguously");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(at + 4 * index, value);
        return Files.write(copy, bytes);
    }

    private static void assertOneLine(BadInputTest.Result r, String start, String end) {
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + start) && r.err().strip().endsWith(end), r.err());
    }

    @Test
    void aDivergingRunStopsWithExit2AndWritesNoModel() throws Exception {
        Path out = tmp.resolve("out");
        BadInputTest.Result r = BadInputTest.run(train(faces(), RealData.mobileNetV2Alpha035(), out, "--lr", "1e30"));
        assertOneLine(r, "training diverged in epoch 1 (", "): use a lower --lr than 1.0E30; no checkpoint was written");
        assertFalse(Files.exists(out.resolve(TrainCommand.CHECKPOINT)));
        assertFalse(Files.exists(out.resolve(TrainCommand.MODEL)));
    }

    @Test
    void aNonFiniteBackboneWeightIsRefusedNamingTheTensor() throws Exception {
        String kernel = "/Conv1/Conv1/kernel:0";
        Path nan = withValue(RealData.mobileNetV2Alpha035(), kernel, 7, Float.NaN, tmp.resolve("nan.h5"));
        assertOneLine(BadInputTest.run(train(faces(), nan, tmp.resolve("out"))),
                nan + ": tensor " + kernel + " holds NaN at index 7 of 432",
                "(values must be finite)");
    }

    @Test
    void aCheckpointWithAFlippedExponentByteSaysToDeleteIt() throws Exception {
        Path faces = faces(), weights = RealData.mobileNetV2Alpha035(), out = tmp.resolve("out");
        BadInputTest.Result good = BadInputTest.run(train(faces, weights, out));
        assertEquals(0, good.exit(), good.err());
        Path checkpoint = out.resolve(TrainCommand.CHECKPOINT);
        byte[] bytes = Files.readAllBytes(checkpoint);
        int data = 8 + (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        bytes[data + 3] = (byte) (bytes[data + 3] | 0x7f);   // the first value's exponent: all ones, NaN or infinity
        bytes[data + 2] = (byte) (bytes[data + 2] | 0x80);
        Files.write(checkpoint, bytes);
        assertOneLine(BadInputTest.run(train(faces, weights, out)), checkpoint + ": tensor ",
                "(values must be finite) (a damaged checkpoint: delete it to start the run over)");
        Files.delete(checkpoint);
        assertEquals(0, BadInputTest.run(train(faces, weights, out)).exit(), "after deleting it the run starts over");
    }
}
