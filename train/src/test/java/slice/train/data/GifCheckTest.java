package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import slice.engine.SharedData;

/**
 * A GIF that declares more pixels than its data holds is refused before decoding, as a PNG with the same lie is;
 * real GIFs of every kind of content still decode.
 */
class GifCheckTest {
    /** An AT&T face (92×112) as a GIF of 256 greys. */
    private static byte[] attGif() throws IOException {
        BufferedImage face = ImageIO.read(SharedData.require("faces/att_faces/s1/1.pgm").toFile());
        return TestImages.encode(face, "gif");
    }

    /** Sets the logical screen's size (bytes 6–9) and, with {@code frameToo}, the first image descriptor's. */
    private static byte[] declaring(byte[] gif, int width, int height, boolean frameToo) {
        byte[] g = gif.clone();
        put16(g, 6, width);
        put16(g, 8, height);
        if (frameToo) {
            int descriptor = descriptorOf(g);
            put16(g, descriptor + 5, width);
            put16(g, descriptor + 7, height);
        }
        return g;
    }

    /** The first image descriptor: after the header, the global color table and any extensions. */
    private static int descriptorOf(byte[] g) {
        int pos = 13 + ((g[10] & 0x80) != 0 ? 3 << ((g[10] & 7) + 1) : 0);
        while (g[pos] == 0x21) {
            pos += 2;
            while (g[pos] != 0) pos += (g[pos] & 0xff) + 1;
            pos++;
        }
        assertEquals(0x2C, g[pos] & 0xff);
        return pos;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    private static String reason(byte[] bytes) {
        return assertThrows(IOException.class, () -> ImageDecoder.decode(bytes, 512)).getMessage();
    }

    @Test
    void realGifsOfEveryKindOfContentDecode() throws Exception {
        assertEquals(92, ImageDecoder.decode(attGif()).width());
        BufferedImage noise = new BufferedImage(301, 203, BufferedImage.TYPE_INT_RGB);   // fills the code table: clear codes
        Random r = new Random(3);
        for (int y = 0; y < 203; y++) for (int x = 0; x < 301; x++) noise.setRGB(x, y, r.nextInt(1 << 24));
        BufferedImage flat = new BufferedImage(1000, 700, BufferedImage.TYPE_INT_RGB);    // long runs: long strings per code
        for (BufferedImage img : new BufferedImage[] {noise, flat, TestImages.quadrants(40, 30)}) {
            RgbImage decoded = ImageDecoder.decode(TestImages.encode(img, "gif"));
            assertEquals(img.getWidth(), decoded.width());
            assertEquals(img.getHeight(), decoded.height());
        }
    }

    @Test
    void aGifDeclaringMorePixelsThanItsDataHoldsIsRefused() throws Exception {
        byte[] gif = attGif();
        assertEquals("truncated GIF (declares 65000×65000 pixels, its first frame holds 92×112)",
                reason(declaring(gif, 65000, 65000, false)));
        assertEquals("truncated GIF (declares 65000×65000 pixels, its data holds 10304)", reason(declaring(gif, 65000, 65000, true)));
        // below 2^31 pixels the JDK's decoder would pad the frame with zeros and return a 513×513 image
        assertEquals("truncated GIF (declares 40000×40000 pixels, its data holds 10304)", reason(declaring(gif, 40000, 40000, true)));
        assertEquals("truncated GIF (declares 92×113 pixels, its data holds 10304)", reason(declaring(gif, 92, 113, true)));
        String cut = reason(Arrays.copyOf(gif, gif.length / 2));
        assertTrue(cut.matches("truncated GIF \\(declares 92×112 pixels, its data holds \\d+\\)"), cut);
        assertEquals("truncated GIF (no image)", reason(Arrays.copyOf(gif, descriptorOf(gif))));
    }

    @Test
    void refusedLikeAPngWithTheSameLie() throws Exception {
        BufferedImage face = ImageIO.read(SharedData.require("faces/att_faces/s1/1.pgm").toFile());
        byte[] png = TestImages.encode(face, "png");
        put16be(png, 16 + 2, 65000);          // IHDR width and height: 4 bytes each, big-endian, from byte 16
        put16be(png, 20 + 2, 65000);
        // refused before decoding: more pixels than the file's bytes can hold (ImageDecoder.MAX_PIXELS_PER_BYTE)
        assertTrue(reason(png).matches("PNG of 65000 x 65000 pixels in \\d+ bytes: too large to decode even at 1/126 of its size"),
                reason(png));
        assertTrue(reason(declaring(attGif(), 65000, 65000, true)).startsWith("truncated GIF ("));
    }

    private static void put16be(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
    }
}
