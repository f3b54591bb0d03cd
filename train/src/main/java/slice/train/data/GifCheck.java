package slice.train.data;

import java.io.IOException;

/**
 * A GIF's declared size against its data, checked before decoding. The JDK's GIF decoder fills a frame whose data ends
 * early with zeros and says nothing, so a 3 KB file declaring 40000 × 40000 pixels would decode (decimated) into a
 * grey "photo", where a PNG, JPEG or TIFF that short is refused as truncated. So a GIF, whose photo is its first frame,
 * must have
 * <ul>
 *   <li>a first frame at least as large as its logical screen (the size the file declares), and</li>
 *   <li>LZW data that produces every pixel of that frame: the codes are followed, counting the length of the string
 *       each one stands for, with no pixel stored; the count stops at the end code, at the end of the data, or at the
 *       first invalid code.</li>
 * </ul>
 * Format: GIF89a specification, sections 17–23 (header, logical screen, color tables, image descriptor, table-based
 * image data with variable-length codes, least significant bit first).
 */
final class GifCheck {
    private GifCheck() { }

    private static final int MAX_CODES = 4096;

    static boolean isGif(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'G' && bytes[1] == 'I' && bytes[2] == 'F' && bytes[3] == '8';
    }

    /** Throws an {@link IOException} with a short reason when the first frame does not fill the declared size. */
    static void check(byte[] gif) throws IOException {
        if (gif.length < 13) throw new IOException("truncated GIF (" + gif.length + " bytes)");
        int screenWidth = u16(gif, 6), screenHeight = u16(gif, 8);
        int pos = 13 + colorTable(gif[10]);
        while (pos < gif.length) {
            int block = gif[pos] & 0xff;
            if (block == 0x21) {                                  // extension: label, then sub-blocks
                pos = skipSubBlocks(gif, pos + 2);
            } else if (block == 0x2C) {                           // image descriptor
                if (pos + 10 > gif.length) break;
                int width = u16(gif, pos + 5), height = u16(gif, pos + 7);
                if (width < screenWidth || height < screenHeight) {
                    throw new IOException("truncated GIF (declares " + screenWidth + "×" + screenHeight + " pixels, its first frame holds "
                            + width + "×" + height + ")");
                }
                long declared = (long) width * height;
                long pixels = pixels(gif, pos + 10 + colorTable(gif[pos + 9]), declared);
                if (pixels < declared) {
                    throw new IOException("truncated GIF (declares " + width + "×" + height + " pixels, its data holds " + pixels + ")");
                }
                return;
            } else {
                throw new IOException("corrupt GIF (" + (block == 0x3B ? "no image" : String.format("unknown block 0x%02X", block)) + ")");
            }
        }
        throw new IOException("truncated GIF (no image)");
    }

    /** Bytes of the color table that follows a packed field: 3 · 2^(size+1) when its top bit says there is one. */
    private static int colorTable(byte packed) {
        return (packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** The position after a run of sub-blocks (length byte, data) ended by a zero length, or the end of the data. */
    private static int skipSubBlocks(byte[] b, int pos) {
        while (pos < b.length) {
            int n = b[pos++] & 0xff;
            if (n == 0) return pos;
            pos += n;
        }
        return b.length;
    }

    /**
     * How many pixels the LZW data at {@code pos} (the minimum code size, then sub-blocks) produces, counted up to
     * {@code enough}. A code stands for the string of the previous code plus one character, so only the lengths of the
     * table's strings are kept.
     */
    private static long pixels(byte[] b, int pos, long enough) {
        if (pos >= b.length) return 0;
        int minSize = b[pos++] & 0xff;
        if (minSize < 1 || minSize > 11) return 0;
        int clear = 1 << minSize, end = clear + 1;
        int[] length = new int[MAX_CODES];
        java.util.Arrays.fill(length, 0, clear, 1);
        int size = minSize + 1, next = clear + 2, previous = -1;
        int bits = 0, bitCount = 0, blockLeft = 0;
        long count = 0;
        while (count < enough) {
            while (bitCount < size) {                             // the next byte, across sub-block boundaries
                if (blockLeft == 0) {
                    if (pos >= b.length || (blockLeft = b[pos++] & 0xff) == 0) return count;
                }
                if (pos >= b.length) return count;
                bits |= (b[pos++] & 0xff) << bitCount;
                bitCount += 8;
                blockLeft--;
            }
            int code = bits & ((1 << size) - 1);
            bits >>>= size;
            bitCount -= size;
            if (code == clear) {
                size = minSize + 1;
                next = clear + 2;
                previous = -1;
                continue;
            }
            if (code == end) return count;
            int len;
            if (previous == -1) {
                if (code >= clear) return count;
                len = 1;
            } else if (code < next) {
                len = length[code];
                if (next < MAX_CODES) length[next++] = length[previous] + 1;
            } else if (code == next && next < MAX_CODES) {
                len = length[previous] + 1;
                length[next++] = len;
            } else {
                return count;
            }
            count += len;
            if (next == 1 << size && size < 12) size++;
            previous = code;
        }
        return count;
    }
}
