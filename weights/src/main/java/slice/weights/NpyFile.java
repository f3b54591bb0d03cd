package slice.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import slice.engine.Tensor;
import slice.weights.io.AtomicFiles;

/**
 * NumPy {@code .npy} files of float32 tensors — what {@code np.save} writes and {@code np.load} reads.
 *
 * <p>Layout: the magic {@code \x93NUMPY}, a version byte pair, the header length (2 bytes little-endian in version
 * 1, 4 bytes in versions 2 and 3), then an ASCII Python dict such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 299, 299, 3), }} padded with spaces to a multiple
 * of 64 bytes and ended by a newline, then the raw data. Only little-endian float32 in C order is accepted; anything
 * else is a one-line {@link IOException} naming the file. The declared shape is checked before anything is allocated:
 * no negative dimension, at most one Java array of values, exactly as many data bytes as the file has, and room for it
 * in the heap.
 */
public final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFile() { }

    /** Reads a float32 tensor of any rank. */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, file);
            for (int i = 0; i < MAGIC.length; i++) {
                if (head.get(i) != MAGIC[i]) throw new IOException(file + ": not a .npy file (bad magic)");
            }
            int major = head.get(6);
            int headerStart;
            long headerLength;
            if (major == 1) {
                headerLength = head.getShort(8) & 0xffff;
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                headerLength = head.getInt(8) & 0xffffffffL;
                headerStart = 12;
            } else {
                throw new IOException(file + ": unsupported .npy version " + major);
            }
            if (headerLength > 1 << 20) throw new IOException(file + ": .npy header of " + headerLength + " bytes is implausible");
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            ch.position(headerStart);
            readFully(ch, headerBytes, file);
            String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int[] shape = parseHeader(file, header);
            long expected = 4 * elements(file, shape);
            long available = ch.size() - headerStart - headerLength;
            if (available != expected) {
                throw new IOException(file + ": shape " + Arrays.toString(shape) + " needs " + expected
                        + " bytes of data, file has " + available + (available < expected ? " (truncated)" : ""));
            }
            long heap = Runtime.getRuntime().maxMemory();
            if (expected > heap / 2) {
                throw new IOException(file + ": shape " + Arrays.toString(shape) + " takes " + (expected >> 20) + " MB, over half the"
                        + " maximum heap of " + (heap >> 20) + " MB (give java a larger -Xmx, or pass fewer images per file)");
            }
            Tensor t = new Tensor(shape);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int done = 0; done < t.size(); ) {
                chunk.clear().limit(4 * Math.min(chunk.capacity() / 4, t.size() - done));
                readFully(ch, chunk, file);
                chunk.flip();
                int n = chunk.remaining() / 4;
                chunk.asFloatBuffer().get(t.data, done, n);
                done += n;
            }
            return t;
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        }
    }

    /**
     * The element count of {@code shape}, refusing a negative dimension and a count beyond one Java array: checked on
     * the header alone, before the file length is compared or anything is allocated.
     */
    private static long elements(Path file, int[] shape) throws IOException {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IOException(file + ": shape " + Arrays.toString(shape) + " in the .npy header has a negative dimension");
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": shape " + Arrays.toString(shape) + " declares more values than one array holds ("
                        + (Integer.MAX_VALUE - 8) + ")");
            }
        }
        return n;
    }

    private static int[] parseHeader(Path file, String header) throws IOException {
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shape = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shape.find()) {
            throw new IOException(file + ": malformed .npy header: " + WeightsException.oneLine(header.trim()));
        }
        if (!descr.group(1).equals("<f4")) {
            throw new IOException(file + ": dtype '" + WeightsException.oneLine(descr.group(1))
                    + "' is not supported, need little-endian float32 '<f4'");
        }
        if (fortran.group(1).equals("True")) throw new IOException(file + ": Fortran-order arrays are not supported, save in C order");
        List<Integer> dims = new ArrayList<>();
        for (String d : shape.group(1).split(",")) {
            String s = d.trim();
            if (s.isEmpty()) continue;
            try {
                dims.add(Integer.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": bad shape in .npy header: (" + WeightsException.oneLine(shape.group(1)) + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) throw new IOException(file + ": truncated .npy file");
        }
    }

    /**
     * Writes {@code t} (its current extent) as a version 1.0 float32 {@code .npy}, atomically: the data goes to a
     * temporary file beside {@code file}, which is then renamed over it, so a reader never sees half a file.
     */
    public static void write(Path file, Tensor t) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int d : t.shape()) dims.append(d).append(", ");
        String shape = t.rank() == 1 ? dims.substring(0, dims.length() - 1) : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }");
        // Magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64.
        while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
        header.append('\n');
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.ISO_8859_1);

        ByteBuffer buf = ByteBuffer.allocate(10 + headerBytes.length + 4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerBytes.length).put(headerBytes);
        buf.asFloatBuffer().put(t.data, 0, t.size());
        AtomicFiles.write(file, out -> out.write(buf.array()));
    }
}
