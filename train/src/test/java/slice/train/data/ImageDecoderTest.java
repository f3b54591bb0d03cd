package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;
import slice.train.camera.Jpegs;

public class ImageDecoderTest {

    @Test
    void decodesAttPgmAsGreyRgb() throws Exception {
        byte[] pgm = Files.readAllBytes(SharedData.require("faces/att_faces/s1/1.pgm"));
        RgbImage img = ImageDecoder.decode(pgm);
        assertEquals(92, img.width());
        assertEquals(112, img.height());
        // P5 header "P5\n92 112\n255\n" is 14 bytes; the raw samples follow and must be copied unchanged (no gamma).
        int headerLength = pgm.length - 92 * 112;
        for (int i = 0; i < img.pixels().length; i += 97) {
            int grey = pgm[headerLength + i] & 0xFF;
            assertEquals(grey << 16 | grey << 8 | grey, img.pixels()[i], "pixel " + i);
        }
    }

    @Test
    void decodesLfwJpeg() throws Exception {
        RgbImage img = ImageDecoder.decode(Files.readAllBytes(
            SharedData.require("faces/lfw_deepfunneled_min20/George_W_Bush/George_W_Bush_0001.jpg")));
        assertEquals(250, img.width());
        assertEquals(250, img.height());
        long distinct = Arrays.stream(img.pixels()).distinct().count();
        assertTrue(distinct > 1000, "a colour photo has many colours, got " + distinct);
    }

    @Test
    void readsEveryWritableFormatAlike() throws Exception {
        BufferedImage source = TestImages.quadrants(40, 30);
        for (String format : new String[] {"png", "bmp", "gif", "tiff", "pnm", "jpeg", "progressive jpeg"}) {
            byte[] file = format.equals("progressive jpeg") ? Jpegs.progressive(source) : TestImages.encode(source, format);
            RgbImage img = ImageDecoder.decode(file);
            assertEquals(40, img.width(), format);
            assertEquals(30, img.height(), format);
            int tolerance = format.contains("jpeg") ? 40 : 0;
            assertClose(0xFF0000, img.pixels()[5 * 40 + 5], tolerance, format);
            assertClose(0x00FF00, img.pixels()[5 * 40 + 35], tolerance, format);
            assertClose(0x0000FF, img.pixels()[25 * 40 + 5], tolerance, format);
            assertClose(0xFFFFFF, img.pixels()[25 * 40 + 35], tolerance, format);
        }
    }

    @Test
    void readsCmykJpegAndHasAWebpReader() throws Exception {
        RgbImage img = ImageDecoder.decode(TestImages.cmykJpeg());
        assertClose(0xFF0000, img.pixels()[16 * 32 + 4], 40, "CMYK red");
        assertClose(0xFFFFFF, img.pixels()[16 * 32 + 28], 10, "CMYK white");
        // No WebP writer exists in pure Java to build a test file; the reader must at least be installed.
        assertTrue(ImageIO.getImageReadersByFormatName("webp").hasNext());
    }

    @Test
    void sixteenBitGreyIsScaledAndAlphaIsCompositedOnWhite() throws Exception {
        BufferedImage grey16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setSample(1, 1, 0, 65535);
        grey16.getRaster().setSample(2, 1, 0, 32896);      // 128.5/255 of full scale → 128
        RgbImage g = ImageDecoder.decode(TestImages.encode(grey16, "png"));
        assertEquals(0xFFFFFF, g.pixels()[4 + 1]);
        assertEquals(0x808080, g.pixels()[4 + 2]);
        assertEquals(0x000000, g.pixels()[0]);

        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);   // all transparent...
        argb.setRGB(0, 0, 0xFF000000);                                                 // ...but one opaque black
        argb.setRGB(1, 0, 0x80FF0000);                                                 // and one half-transparent red
        RgbImage rgb = ImageDecoder.decode(TestImages.encode(argb, "png"));
        assertEquals(0x000000, rgb.pixels()[0]);
        assertEquals(0xFFFFFF, rgb.pixels()[5]);
        assertClose(0xFF7F7F, rgb.pixels()[1], 2, "half red on white");
    }

    /** Orientation 6 = rotate 90° clockwise: the stored bottom-left (blue) quadrant becomes the top-left. */
    @Test
    void honoursExifOrientation() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.quadrants(64, 32), "jpeg");
        assertEquals(1, ExifOrientation.of(jpeg));
        int[][] expectedCorners = {      // top-left, top-right, bottom-left, bottom-right after the transform
            null,
            {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF},   // 1 as stored
            {0x00FF00, 0xFF0000, 0xFFFFFF, 0x0000FF},   // 2 mirror
            {0xFFFFFF, 0x0000FF, 0x00FF00, 0xFF0000},   // 3 rotate 180
            {0x0000FF, 0xFFFFFF, 0xFF0000, 0x00FF00},   // 4 flip vertically
            {0xFF0000, 0x0000FF, 0x00FF00, 0xFFFFFF},   // 5 transpose
            {0x0000FF, 0xFF0000, 0xFFFFFF, 0x00FF00},   // 6 rotate 90 clockwise
            {0xFFFFFF, 0x00FF00, 0x0000FF, 0xFF0000},   // 7 transverse
            {0x00FF00, 0xFFFFFF, 0xFF0000, 0x0000FF},   // 8 rotate 90 counter-clockwise
        };
        for (int orientation = 1; orientation <= 8; orientation++) {
            for (boolean bigEndian : new boolean[] {false, true}) {
                byte[] tagged = TestImages.withExifOrientation(jpeg, orientation, bigEndian);
                assertEquals(orientation, ExifOrientation.of(tagged));
                RgbImage img = ImageDecoder.decode(tagged);
                int w = orientation >= 5 ? 32 : 64, h = orientation >= 5 ? 64 : 32;
                assertEquals(w, img.width(), "orientation " + orientation);
                assertEquals(h, img.height(), "orientation " + orientation);
                int[] at = {4 * w + 4, 4 * w + w - 5, (h - 5) * w + 4, (h - 5) * w + w - 5};
                for (int c = 0; c < 4; c++)
                    assertClose(expectedCorners[orientation][c], img.pixels()[at[c]], 40, "orientation " + orientation + " corner " + c);
            }
        }
    }

    @Test
    void badFilesGiveShortReasons() throws Exception {
        assertEquals("empty file", reason(new byte[0]));
        assertEquals("not an image", reason("name,photo\nalice,1\n".getBytes(StandardCharsets.UTF_8)));
        byte[] jpeg = Files.readAllBytes(SharedData.require("faces/lfw_deepfunneled_min20/Colin_Powell/Colin_Powell_0001.jpg"));
        String truncated = reason(Arrays.copyOf(jpeg, jpeg.length / 2));
        assertTrue(truncated.startsWith("truncated JPEG"), truncated);   // the JDK decoder would pad it with grey
        byte[] png = TestImages.encode(TestImages.quadrants(64, 64), "png");
        String brokenPng = reason(Arrays.copyOf(png, png.length - 30));
        assertTrue(brokenPng.startsWith("corrupt PNG") || brokenPng.startsWith("truncated PNG"), brokenPng);
        assertTrue(reason(Arrays.copyOf(jpeg, 400)).matches("(corrupt|truncated) JPEG.*"));
    }

    /** Big photos are decimated while decoding (bounded memory), and a truncated one is still caught. */
    @Test
    void decimatesLargePhotosAndStillCatchesTruncation() throws Exception {
        byte[] big = TestImages.encode(TestImages.quadrants(2000, 1500), "jpeg");
        RgbImage small = ImageDecoder.decode(big, 256);
        assertEquals(400, small.width());                         // factor 1500 / 256 = 5
        assertEquals(300, small.height());
        assertClose(0x0000FF, small.pixels()[250 * 400 + 50], 40, "bottom-left stays blue");
        assertEquals(2000, ImageDecoder.decode(big, 1000).width());    // less than twice: full size
        String truncated = reason(Arrays.copyOf(big, big.length * 2 / 3), 256);
        assertTrue(truncated.startsWith("truncated JPEG"), truncated);
    }

    private static String reason(byte[] bytes, int keepAtLeast) {
        return assertThrows(IOException.class, () -> ImageDecoder.decode(bytes, keepAtLeast)).getMessage();
    }

    private static String reason(byte[] bytes) {
        return assertThrows(IOException.class, () -> ImageDecoder.decode(bytes)).getMessage();
    }

    private static void assertClose(int expected, int actual, int tolerance, String what) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF, a = (actual >> shift) & 0xFF;
            assertTrue(Math.abs(e - a) <= tolerance,
                what + ": expected " + Integer.toHexString(expected) + " got " + Integer.toHexString(actual));
        }
    }

    /** A PNG that declares {@code width × height} RGB pixels and holds one row of data. */
    public static byte[] pngDeclaring(int width, int height) throws IOException {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        chunk(png, "IHDR", ihdr.array());
        java.io.ByteArrayOutputStream row = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.DeflaterOutputStream(row)) {
            z.write(new byte[1 + 3 * 100]);
        }
        chunk(png, "IDAT", row.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        png.write(type.getBytes(StandardCharsets.US_ASCII));
        png.write(data);
        png.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void aPhotoDeclaringTooManyPixelsIsTooLargeNotCorrupt() throws Exception {
        for (int keep : new int[] {0, 448}) {
            IOException e = assertThrows(IOException.class, () -> ImageDecoder.decode(pngDeclaring(60000, 60000), keep));
            assertEquals("too large: a PNG of 60000x60000 pixels (3,600,000,000); the limit is 268,435,456 pixels (16384x16384)",
                    e.getMessage());
        }
        IOException justOver = assertThrows(IOException.class, () -> ImageDecoder.decode(pngDeclaring(16385, 16384), 448));
        assertTrue(justOver.getMessage().startsWith("too large: a PNG of 16385x16384 pixels"), justOver.getMessage());
        IOException small = assertThrows(IOException.class, () -> ImageDecoder.decode(pngDeclaring(4000, 3000), 448));
        assertTrue(small.getMessage().startsWith("corrupt PNG"), "a photo within the limit whose data is missing: " + small.getMessage());
    }
}
