package slice.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One edit that damages a valid file, as the loaders' fuzz tests apply them to small valid seeds: the damage a disk, a
 * download or a hostile user does. Positions are taken modulo the file's length, so one edit fits any seed. The edits
 * are drawn from a {@link SplittableRandom} that {@link Cases} seeds, and print as records, so a failing case's message
 * shows the edits that reproduce it.
 */
public sealed interface Mutation {
    /** The damaged copy of {@code bytes} (never modified in place). */
    byte[] apply(byte[] bytes);

    /** Keeps only the first {@code at mod length} bytes: a download or copy cut short. */
    record Truncate(int at) implements Mutation {
        @Override public byte[] apply(byte[] bytes) {
            return Arrays.copyOf(bytes, bytes.length == 0 ? 0 : Math.floorMod(at, bytes.length));
        }
    }

    /** Flips bit {@code bit} of the byte at {@code at mod length}: a bad sector, a cosmic ray. */
    record FlipBit(int at, int bit) implements Mutation {
        @Override public byte[] apply(byte[] bytes) {
            byte[] out = bytes.clone();
            if (out.length > 0) out[Math.floorMod(at, out.length)] ^= (byte) (1 << bit);
            return out;
        }
    }

    /** Overwrites {@code length} bytes from {@code at mod length} with {@code value} (a zeroed or 0xFF-filled block). */
    record Run(int at, int length, byte value) implements Mutation {
        @Override public byte[] apply(byte[] bytes) {
            byte[] out = bytes.clone();
            if (out.length == 0) return out;
            int from = Math.floorMod(at, out.length);
            Arrays.fill(out, from, Math.min(out.length, from + length), value);
            return out;
        }
    }

    /** Inserts {@code inserted} before the byte at {@code at mod (length + 1)}: bytes that do not belong. */
    record Insert(int at, byte[] inserted) implements Mutation {
        @Override public byte[] apply(byte[] bytes) {
            int from = Math.floorMod(at, bytes.length + 1);
            byte[] out = new byte[bytes.length + inserted.length];
            System.arraycopy(bytes, 0, out, 0, from);
            System.arraycopy(inserted, 0, out, from, inserted.length);
            System.arraycopy(bytes, from, out, from + inserted.length, bytes.length - from);
            return out;
        }

        @Override public String toString() {
            return "Insert[at=" + at + ", inserted=" + Arrays.toString(inserted) + "]";
        }
    }

    /**
     * Writes the binary integer {@code value} in {@code width} bytes at {@code at mod length}: a length, count or
     * dimension field of a binary header set to 0, −1, a power of two or the largest int or long.
     */
    record Field(int at, int width, long value, boolean littleEndian) implements Mutation {
        @Override public byte[] apply(byte[] bytes) {
            byte[] out = bytes.clone();
            if (out.length == 0) return out;
            int from = Math.floorMod(at, out.length);
            ByteBuffer b = ByteBuffer.allocate(8).order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).putLong(value);
            for (int i = 0; i < width && from + i < out.length; i++) out[from + i] = b.get(littleEndian ? i : 8 - width + i);
            return out;
        }
    }

    /**
     * Replaces the {@code k mod count}-th decimal number written as text (a run of digits, with its sign) by
     * {@code replacement}: a shape or length in a JSON or Python-dict header set to a negative, huge, fractional or
     * non-finite value. Leaves a file without such a number as it is.
     */
    record TextNumber(int k, String replacement) implements Mutation {
        @Override public byte[] apply(byte[] bytes) {
            List<int[]> numbers = numbers(bytes);
            if (numbers.isEmpty()) return bytes.clone();
            int[] n = numbers.get(Math.floorMod(k, numbers.size()));
            byte[] r = replacement.getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[bytes.length - (n[1] - n[0]) + r.length];
            System.arraycopy(bytes, 0, out, 0, n[0]);
            System.arraycopy(r, 0, out, n[0], r.length);
            System.arraycopy(bytes, n[1], out, n[0] + r.length, bytes.length - n[1]);
            return out;
        }

        /** [begin, end) of each run of ASCII digits, a '-' just before it included. */
        private static List<int[]> numbers(byte[] bytes) {
            List<int[]> out = new ArrayList<>();
            for (int i = 0; i < bytes.length; ) {
                if (bytes[i] < '0' || bytes[i] > '9') {
                    i++;
                    continue;
                }
                int begin = i > 0 && bytes[i - 1] == '-' ? i - 1 : i;
                while (i < bytes.length && bytes[i] >= '0' && bytes[i] <= '9') i++;
                out.add(new int[] {begin, i});
            }
            return out;
        }
    }

    /** The edits in order. */
    static byte[] applyAll(byte[] seed, List<Mutation> edits) {
        byte[] out = seed;
        for (Mutation m : edits) out = m.apply(out);
        return out;
    }

    /** Values a damaged or hostile header field takes: the edges of every integer width, and around them. */
    List<Long> EDGE_VALUES = List.of(0L, 1L, -1L, 2L, 3L, 7L, 8L, 127L, 128L, 255L, 256L, 0x7fffL, 0x8000L, 0xffffL, 0x10000L, 1L << 20,
            1L << 30, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE);

    /** Texts a number of a text header is replaced by. */
    List<String> NUMBER_TEXTS = List.of("-1", "0", "1", "3", "65536", "2147483647", "2147483648", "-2147483648",
            "4294967296", "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1e9", "1e309",
            "-0", "2.5", "1e-5", "NaN");

    /** Bytes a run of damage is filled with. */
    List<Byte> RUN_VALUES = List.of((byte) 0, (byte) 0xff, (byte) 0x7f, (byte) ' ');

    /**
     * A position that favours a file's header (the first bytes), where most structure lives, over its data: among the
     * first 64 bytes half the time, the first 1,024 a third, anywhere up to the largest int a sixth.
     */
    private static int position(SplittableRandom r) {
        int pick = r.nextInt(6);
        return pick < 3 ? r.nextInt(64) : pick < 5 ? r.nextInt(1024) : r.nextInt(Integer.MAX_VALUE);
    }

    private static <T> T oneOf(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    /** One edit, each of the six kinds equally likely. */
    static Mutation any(SplittableRandom r) {
        int kind = r.nextInt(6);
        if (kind == 5) return new TextNumber(r.nextInt(256), oneOf(r, NUMBER_TEXTS));
        int at = position(r);
        return switch (kind) {
            case 0 -> new Truncate(at);
            case 1 -> new FlipBit(at, r.nextInt(8));
            case 2 -> new Run(at, r.nextInt(1, 65), oneOf(r, RUN_VALUES));
            case 3 -> {
                byte[] inserted = new byte[r.nextInt(1, 17)];
                r.nextBytes(inserted);
                yield new Insert(at, inserted);
            }
            default -> new Field(at, oneOf(r, List.of(1, 2, 4, 8)), oneOf(r, EDGE_VALUES), r.nextBoolean());
        };
    }

    /** One to three edits: what a fuzz test's case damages its seed file with. */
    static List<Mutation> edits(SplittableRandom r) {
        List<Mutation> edits = new ArrayList<>();
        for (int n = r.nextInt(1, 4); edits.size() < n; ) edits.add(any(r));
        return List.copyOf(edits);
    }
}
