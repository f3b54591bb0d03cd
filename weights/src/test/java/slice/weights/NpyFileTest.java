package slice.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.engine.SharedData;
import slice.engine.Tensor;

class NpyFileTest {
    @TempDir Path dir;

    @Test
    void roundTripsEveryRank() throws IOException {
        for (int[] shape : new int[][] {{}, {5}, {2, 3}, {2, 3, 5, 7}}) {
            Tensor t = new Tensor(shape);
            for (int i = 0; i < t.size(); i++) t.data[i] = i * 0.5f - 3f;
            Path f = dir.resolve("t" + shape.length + ".npy");
            NpyFile.write(f, t);
            byte[] bytes = Files.readAllBytes(f);
            assertEquals(0, (bytes.length - 4 * t.size()) % 64, "header padded to 64 bytes like numpy's");
            Tensor back = NpyFile.read(f);
            assertArrayEquals(shape, back.shape());
            assertArrayEquals(Arrays.copyOf(t.data, t.size()), Arrays.copyOf(back.data, back.size()));
        }
        String header = new String(Files.readAllBytes(dir.resolve("t1.npy")), 10, 60, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), header);
    }

    @Test
    void writesOnlyTheCurrentBatch() throws IOException {
        Tensor t = new Tensor(4, 3);
        Arrays.fill(t.data, 1f);
        t.setBatch(2);
        Path f = dir.resolve("b.npy");
        NpyFile.write(f, t);
        assertArrayEquals(new int[] {2, 3}, NpyFile.read(f).shape());
    }

    @Test
    void readsWhatNumpyWrote() throws IOException {
        Tensor x = NpyFile.read(SharedData.require("reference/mobilenet_v2_0.35_224/input.npy"));
        assertArrayEquals(new int[] {4, 224, 224, 3}, x.shape());
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (int i = 0; i < x.size(); i++) {
            min = Math.min(min, x.data[i]);
            max = Math.max(max, x.data[i]);
        }
        assertTrue(min >= -1f && max <= 1f && max - min > 1.5f, "preprocessed pixels in [-1, 1]: " + min + " .. " + max);
    }

    @Test
    void rejectsBadFilesWithTheFileName() throws IOException {
        Path f = dir.resolve("t.npy");
        NpyFile.write(f, new Tensor(2, 3));
        byte[] good = Files.readAllBytes(f);

        Path truncated = dir.resolve("truncated.npy");
        Files.write(truncated, Arrays.copyOf(good, good.length - 4));
        assertMessage(truncated, "truncated");

        Path f8 = dir.resolve("f8.npy");
        Files.write(f8, new String(good, StandardCharsets.ISO_8859_1).replace("<f4", "<f8").getBytes(StandardCharsets.ISO_8859_1));
        assertMessage(f8, "dtype '<f8' is not supported");

        Path fortran = dir.resolve("fortran.npy");
        Files.write(fortran, new String(good, StandardCharsets.ISO_8859_1).replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1));
        assertMessage(fortran, "Fortran-order");

        Path text = dir.resolve("text.npy");
        Files.writeString(text, "hello, this is not numpy");
        assertMessage(text, "not a .npy file");

        assertMessage(dir.resolve("missing.npy"), "no such file");
    }

    private static void assertMessage(Path file, String part) {
        String msg = assertThrows(IOException.class, () -> NpyFile.read(file)).getMessage();
        assertTrue(msg.startsWith(file.toString()) && msg.contains(part), msg);
    }
}
