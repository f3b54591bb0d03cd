package slice.train.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import slice.train.camera.Jpegs;

/** Builds small images and files for the data tests. */
final class TestImages {
    private TestImages() { }

    /**
     * A w × h RGB image of four flat quadrants: top-left red, top-right green, bottom-left blue, bottom-right white,
     * so any rotation or mirror is recognisable even after JPEG compression.
     */
    static BufferedImage quadrants(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.setRGB(x, y, quadrantColour(x < w / 2, y < h / 2));
        return img;
    }

    static int quadrantColour(boolean left, boolean top) {
        return top ? (left ? 0xFF0000 : 0x00FF00) : (left ? 0x0000FF : 0xFFFFFF);
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) throw new IOException("no writer for " + format);
        return out.toByteArray();
    }

    /**
     * A 32 × 32 Adobe-style CMYK JPEG (inverted ink values, APP14 "Adobe" marker with transform 0): left half red
     * (C 0, M 1, Y 1, K 0), right half white. The JDK alone cannot read it ("Unsupported Image Type"); TwelveMonkeys can.
     */
    static byte[] cmykJpeg() throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 32, 32, 4, null);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) r.setPixel(x, y, x < 16 ? new int[] {255, 0, 0, 255} : new int[] {255, 255, 255, 255});
        byte[] plain = Jpegs.ofRaster(r);
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] jpeg = new byte[plain.length + adobe.length];
        jpeg[0] = (byte) 0xFF;
        jpeg[1] = (byte) 0xD8;
        System.arraycopy(adobe, 0, jpeg, 2, adobe.length);
        System.arraycopy(plain, 2, jpeg, 2 + adobe.length, plain.length - 2);
        return jpeg;
    }

    /** Inserts an APP1 EXIF segment holding only IFD0 with the Orientation tag right after the JPEG's SOI marker. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean bigEndian) {
        byte[] tiff = new byte[8 + 2 + 12 + 4];
        putU16(tiff, 0, bigEndian ? ('M' << 8 | 'M') : ('I' << 8 | 'I'), true);
        putU16(tiff, 2, 42, !bigEndian);
        putU32(tiff, 4, 8, !bigEndian);
        putU16(tiff, 8, 1, !bigEndian);                 // one entry
        putU16(tiff, 10, 0x0112, !bigEndian);           // Orientation
        putU16(tiff, 12, 3, !bigEndian);                // SHORT
        putU32(tiff, 14, 1, !bigEndian);                // count 1
        putU16(tiff, 18, orientation, !bigEndian);      // value, left-justified in the 4-byte field
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + exif.length + tiff.length;
        byte[] out = new byte[jpeg.length + 2 + length];
        out[0] = (byte) 0xFF; out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF; out[3] = (byte) 0xE1;
        putU16(out, 4, length, false);
        System.arraycopy(exif, 0, out, 6, exif.length);
        System.arraycopy(tiff, 0, out, 6 + exif.length, tiff.length);
        System.arraycopy(jpeg, 2, out, 4 + length, jpeg.length - 2);
        return out;
    }

    private static void putU16(byte[] b, int at, int v, boolean little) {
        b[at + (little ? 0 : 1)] = (byte) v;
        b[at + (little ? 1 : 0)] = (byte) (v >> 8);
    }

    private static void putU32(byte[] b, int at, int v, boolean little) {
        putU16(b, at + (little ? 0 : 2), v & 0xFFFF, little);
        putU16(b, at + (little ? 2 : 0), v >>> 16, little);
    }
}
