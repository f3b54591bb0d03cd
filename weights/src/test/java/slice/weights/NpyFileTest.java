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

    /** A version 1.0 file declaring {@code shape} (as numpy writes it, e.g. {@code "20000, 96, 96, 3"}) followed by {@code dataBytes} zeros. */
    private Path declaring(String shape, int dataBytes) throws IOException {
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }");
        while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + h.length + dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        return Files.write(dir.resolve("declared.npy"), b.array());
    }

    /** Bytes this thread allocated while {@code read} failed: what a refused file cost. */
    private static long allocatedWhileRefusing(Path file, String expected) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        String msg = assertThrows(IOException.class, () -> NpyFile.read(file)).getMessage();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(file + ": " + expected, msg);
        return allocated;
    }

    /**
     * Declared sizes are checked on the header before anything is allocated: a 128-byte file declaring
     * [20000, 96, 96, 3] (2.2 GB of floats), a negative dimension, 10⁹ cells in a short file, and more cells than an
     * array holds are each refused in one line, having allocated under a megabyte.
     */
    @Test
    void declaredSizesAreCheckedBeforeAllocating() throws IOException {
        Path small = declaring("20000, 96, 96, 3", 0);
        assertEquals(128, Files.size(small));
        assertTrue(allocatedWhileRefusing(small, "shape [20000, 96, 96, 3] needs 2211840000 bytes of data, file has 0 (truncated)") < 1 << 20);
        assertTrue(allocatedWhileRefusing(declaring("-1, 3", 12), "shape [-1, 3] in the .npy header has a negative dimension") < 1 << 20);
        assertTrue(allocatedWhileRefusing(declaring("1000000000,", 64),
                "shape [1000000000] needs 4000000000 bytes of data, file has 64 (truncated)") < 1 << 20);
        assertTrue(allocatedWhileRefusing(declaring("100000, 100000", 64),
                "shape [100000, 100000] declares more values than one array holds (2147483639)") < 1 << 20);
    }

    /** A file whose length matches its shape but whose values would fill over half the heap: refused before allocating. */
    @Test
    void aTensorBeyondHalfTheHeapIsRefusedBeforeAllocating() throws IOException {
        long heap = Runtime.getRuntime().maxMemory(), floats = heap / 4;
        org.junit.jupiter.api.Assumptions.assumeTrue(floats < Integer.MAX_VALUE - 8, "heap under 8 GB");
        Path big = declaring(floats + ",", 0);
        try (var file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(file.length() + 4 * floats);   // sparse: no disk used
        }
        assertTrue(allocatedWhileRefusing(big, "shape [" + floats + "] takes " + (4 * floats >> 20) + " MB, over half the maximum heap of "
                + (heap >> 20) + " MB (give java a larger -Xmx, or pass fewer images per file)") < 1 << 20);
    }

    private static void assertMessage(Path file, String part) {
        String msg = assertThrows(IOException.class, () -> NpyFile.read(file)).getMessage();
        assertTrue(msg.startsWith(file.toString()) && msg.contains(part), msg);
    }
}
