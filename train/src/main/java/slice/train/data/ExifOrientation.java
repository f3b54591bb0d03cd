package slice.train.data;

/**
 * The EXIF Orientation tag (0x0112) of a JPEG, read from its APP1 "Exif" segment, and its application to an image.
 *
 * <p>Values 1..8 as in the EXIF spec, naming how the stored pixels must be transformed for display:
 * 1 as stored, 2 mirror horizontally, 3 rotate 180°, 4 mirror vertically, 5 transpose (mirror across the main
 * diagonal), 6 rotate 90° clockwise, 7 transverse (mirror across the anti-diagonal), 8 rotate 90° counter-clockwise.
 * Values 5..8 swap width and height. A missing or malformed tag means 1: a broken EXIF block never makes an
 * otherwise good photo unusable.
 */
public final class ExifOrientation {
    private ExifOrientation() { }

    /** The orientation stored in a JPEG file's bytes, or 1 when there is none (or the file is not a JPEG). */
    public static int of(byte[] file) {
        if (file.length < 4 || (file[0] & 0xFF) != 0xFF || (file[1] & 0xFF) != 0xD8) return 1;
        int p = 2;
        while (p + 4 <= file.length) {
            if ((file[p] & 0xFF) != 0xFF) return 1;
            int marker = file[p + 1] & 0xFF;
            if (marker == 0xFF) { p++; continue; }                      // fill byte
            if (marker == 0xDA || marker == 0xD9) return 1;            // start of scan / end of image: no EXIF
            int length = u16(file, p + 2, false);
            int segment = p + 4, segmentEnd = p + 2 + length;
            if (length < 2 || segmentEnd > file.length) return 1;
            if (marker == 0xE1 && length >= 8 && isExifHeader(file, segment)) {
                int orientation = fromTiff(file, segment + 6, segmentEnd);
                if (orientation >= 1 && orientation <= 8) return orientation;
                return 1;
            }
            p = segmentEnd;
        }
        return 1;
    }

    private static boolean isExifHeader(byte[] b, int at) {
        return b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f' && b[at + 4] == 0 && b[at + 5] == 0;
    }

    /** Reads tag 0x0112 from IFD0 of the TIFF structure at {@code [tiff, end)}; 0 if absent. */
    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) return 0;
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') little = true;
        else if (b[tiff] == 'M' && b[tiff + 1] == 'M') little = false;
        else return 0;
        if (u16(b, tiff + 2, little) != 42) return 0;
        long ifd = tiff + u32(b, tiff + 4, little);
        if (ifd + 2 > end) return 0;
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) return 0;
            if (u16(b, entry, little) == 0x0112) {
                int type = u16(b, entry + 2, little);
                return type == 3 ? u16(b, entry + 8, little) : 0;    // SHORT, value stored in place
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int at, boolean little) {
        int b0 = b[at] & 0xFF, b1 = b[at + 1] & 0xFF;
        return little ? b0 | (b1 << 8) : (b0 << 8) | b1;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long lo = u16(b, at, little), hi = u16(b, at + 2, little);
        return little ? lo | (hi << 16) : (lo << 16) | hi;
    }

    /**
     * Returns {@code image} transformed for display according to {@code orientation} (a new image unless it is 1).
     * For output pixel (x, y) of an image stored as W × H, the source pixel is:
     * 2 (W-1-x, y); 3 (W-1-x, H-1-y); 4 (x, H-1-y); 5 (y, x); 6 (y, H-1-x); 7 (W-1-y, H-1-x); 8 (W-1-y, x).
     */
    public static RgbImage apply(RgbImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) return image;
        int w = image.width(), h = image.height();
        boolean swap = orientation >= 5;
        int outW = swap ? h : w, outH = swap ? w : h;
        int[] src = image.pixels(), dst = new int[src.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                dst[y * outW + x] = src[sy * w + sx];
            }
        }
        return new RgbImage(outW, outH, dst);
    }
}
