package slice.train.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an image file's bytes into an {@link RgbImage}: every format that ImageIO plus the TwelveMonkeys plugins
 * read (JPEG incl. CMYK and progressive, PNG, BMP, PGM/PPM, GIF, TIFF, WebP), the format found from the bytes, not
 * the file name. Multi-frame files (GIF, TIFF) give their first frame.
 *
 * <ul>
 *   <li>Orientation: a JPEG's EXIF Orientation tag is applied (see {@link ExifOrientation}); other formats are taken
 *       as stored.</li>
 *   <li>Grey (1 channel, 8 or 16 bit) is copied to R = G = B from the raw samples, with no gamma conversion, as PIL
 *       does (Java2D would treat grey as linear and brighten it).</li>
 *   <li>Alpha is composited on white: a transparent background becomes white, not black.</li>
 *   <li>Size: with {@code keepAtLeast > 0}, an image whose shorter side is at least twice that is decimated while
 *       decoding, by the largest integer factor that keeps the shorter side at least {@code keepAtLeast}. This bounds
 *       memory (a 12-MP phone photo is ~150 MB in flight at full size, too much for four threads in a 1 GB heap);
 *       callers ask for several times the network's input size so the filtered downscale that follows still sees
 *       plenty of pixels.</li>
 * </ul>
 *
 * A file that no decoder recognises, that declares more than {@link #MAX_PIXELS} pixels, that fails to decode, that
 * ends early (a truncated JPEG, which the JDK's decoder would otherwise pad with grey; a GIF whose data does not fill
 * its declared size, {@link GifCheck}), or that declares more pixels than it can hold or than are decoded for one
 * image ({@link #MAX_PIXELS_PER_BYTE}, {@link #MAX_DECODED_PIXELS}) is an {@link IOException} whose message is a
 * short reason.
 */
public final class ImageDecoder {
    /** The largest photo side {@link #MAX_PIXELS} allows as a square: 16384. */
    static final int MAX_SIDE = 1 << 14;
    /**
     * The most pixels a photo may declare: 16384² (268 megapixels). Larger ones are refused before any pixel is decoded,
     * as too large: their size, not their data, is the problem.
     */
    public static final long MAX_PIXELS = (long) MAX_SIDE * MAX_SIDE;
    /**
     * The most pixels decoded for one image, after decimation: checked against the size the file declares before any
     * pixel is decoded, since a few bytes can declare a canvas of millions of pixels that the decoder would fill.
     */
    static final int MAX_DECODED_PIXELS = 1 << 24;
    /**
     * Beyond {@link #MAX_DECODED_PIXELS}, the most pixels a file may declare per byte it holds. Deflate (PNG) packs at
     * most 1032 bytes into one, GIF's LZW about 2730 pixels, JPEG a few hundred; some decoders (WebP's VP8) allocate for
     * the declared size whatever the decimation, so a file of a few bytes declaring millions of pixels is refused. A WebP
     * file is held to it below {@link #MAX_DECODED_PIXELS} too: its lossless decoder churns through buffers for each
     * pixel of a damaged stream (8 GB allocated for 966,535 pixels declared in 37 bytes).
     */
    static final int MAX_PIXELS_PER_BYTE = 4096;

    private ImageDecoder() { }

    /** Decodes {@code bytes} at full size; the message of the exception is the reason the file is unusable. */
    public static RgbImage decode(byte[] bytes) throws IOException {
        return decode(bytes, 0);
    }

    /**
     * Decodes {@code bytes}, decimated so the shorter side stays at least {@code keepAtLeast} (0: full size);
     * the message of the exception is the reason the file is unusable.
     */
    public static RgbImage decode(byte[] bytes, int keepAtLeast) throws IOException {
        return decodeScaled(bytes, keepAtLeast).image();
    }

    /**
     * A decoded image and the photo it stands for: {@code factor} is the decimation (1 at full size), and
     * {@code width × height} the photo's own size, upright. Decoded pixel {@code i} is the photo's pixel {@code i·factor}.
     */
    public record Scaled(RgbImage image, int factor, int width, int height) {
        /** A coordinate of the decoded image in the photo's pixels (pixel {@code i} at coordinate {@code i}). */
        public double toPhoto(double u) { return u * factor; }
    }

    /** {@link #decode(byte[], int)}, also saying how the decoded image maps onto the photo. */
    public static Scaled decodeScaled(byte[] bytes, int keepAtLeast) throws IOException {
        if (bytes.length == 0) throw new IOException("empty file");
        int[] stored = new int[3];
        BufferedImage image = read(bytes, keepAtLeast, stored);
        RgbImage rgb = ExifOrientation.apply(toRgb(image), ExifOrientation.of(bytes));
        boolean turned = rgb.width() != image.getWidth();
        return new Scaled(rgb, stored[2], turned ? stored[1] : stored[0], turned ? stored[0] : stored[1]);
    }

    /** Reads the first frame, decimated by the largest factor that keeps {@code keepAtLeast}; {@code stored} gets W, H, factor. */
    private static BufferedImage read(byte[] bytes, int keepAtLeast, int[] stored) throws IOException {
        if (GifCheck.isGif(bytes)) GifCheck.check(bytes);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException("not an image");
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            String format = formatName(reader);
            BufferedImage image;
            try {
                int width, height;
                try {
                    reader.setInput(in, true, true);
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw corrupt(format, e);
                }
                if ((long) width * height > MAX_PIXELS) {
                    throw new IOException(String.format(Locale.ROOT, "too large: a %s of %dx%d pixels (%,d); the limit is %,d pixels"
                            + " (%dx%d)", format, width, height, (long) width * height, MAX_PIXELS, MAX_SIDE, MAX_SIDE));
                }
                ImageReadParam param = reader.getDefaultReadParam();
                int factor = keepAtLeast > 0 ? Math.min(width, height) / keepAtLeast : 1;
                if (factor >= 2) param.setSourceSubsampling(factor, factor, 0, 0);
                stored[0] = width;
                stored[1] = height;
                stored[2] = Math.max(1, factor);
                long declared = Math.max((long) width * height, webpFramePixels(bytes));
                long decoded = ((long) width + stored[2] - 1) / stored[2] * (((long) height + stored[2] - 1) / stored[2]);
                long perByte = (long) MAX_PIXELS_PER_BYTE * bytes.length;
                long holdable = format.equals("WEBP") ? perByte : Math.max(MAX_DECODED_PIXELS, perByte);
                boolean tooLarge = decoded > MAX_DECODED_PIXELS || declared > holdable;
                try {
                    image = tooLarge ? null : reader.read(0, param);
                } catch (IOException | RuntimeException e) {
                    throw corrupt(format, e);
                }
            } finally {
                reader.dispose();
            }
            if (image == null) {
                long frame = webpFramePixels(bytes);
                throw new IOException("too large to decode: a " + format + " of " + stored[0] + "x" + stored[1] + " pixels"
                        + (frame > (long) stored[0] * stored[1] ? " with a frame of " + frame + " pixels" : "") + " in " + bytes.length
                        + " bytes" + (stored[2] > 1 ? ", even at 1/" + stored[2] + " of its size" : ""));
            }
            for (String warning : warnings) {
                String lower = warning.toLowerCase(Locale.ROOT);
                if (lower.contains("premature end") || lower.contains("truncat") || lower.contains("end of file"))
                    throw new IOException("truncated " + format + " (" + warning.strip() + ")");
            }
            return image;
        }
    }

    /** Decoders signal broken data with IIOException, EOFException or unchecked exceptions alike. */
    private static IOException corrupt(String format, Exception e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        return new IOException("corrupt " + format + " (" + why + ")", e);
    }

    /**
     * The largest frame a WebP file declares inside its chunks, in pixels (0 for other files): the decoder allocates for
     * a frame's own size, which the canvas size the reader reports does not bound. RIFF chunks are a fourcc, a
     * little-endian length and the data, padded to even length; a {@code VP8 } frame's size is two 14-bit fields at
     * bytes 6 and 8 of its data, a {@code VP8L} frame's 14-bit width − 1 and height − 1 follow its signature byte; an
     * animation's {@code ANMF} chunk holds its frame's chunks after 16 bytes of its own.
     */
    static long webpFramePixels(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean webp = bytes.length >= 12 && b.getInt(0) == 0x46464952 && b.getInt(8) == 0x50424557;   // "RIFF", "WEBP"
        return webp ? webpFramePixels(b, 12, bytes.length) : 0;
    }

    private static long webpFramePixels(ByteBuffer b, int from, int to) {
        long most = 0;
        for (int at = from; at + 8 <= to; ) {
            int fourcc = b.getInt(at);
            long length = b.getInt(at + 4) & 0xFFFF_FFFFL;
            int data = at + 8, end = (int) Math.min(to, data + length);
            if (fourcc == 0x20385056 && end - data >= 10) {                                        // "VP8 "
                most = Math.max(most, (long) (b.getShort(data + 6) & 0x3FFF) * (b.getShort(data + 8) & 0x3FFF));
            } else if (fourcc == 0x4C385056 && end - data >= 5) {                                  // "VP8L"
                int bits = b.getInt(data + 1);
                most = Math.max(most, (long) ((bits & 0x3FFF) + 1) * ((bits >>> 14 & 0x3FFF) + 1));
            } else if (fourcc == 0x464D4E41 && end - data > 16) {                                  // "ANMF"
                most = Math.max(most, webpFramePixels(b, data + 16, end));
            }
            if (data + length + (length & 1) > to) break;
            at = (int) (data + length + (length & 1));
        }
        return most;
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    /** Converts any decoded image to 8-bit sRGB: grey copied raw, alpha composited on white. */
    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[] pixels;
        ColorModel cm = image.getColorModel();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
            pixels = new int[w * h];
            copyGrey(image.getRaster(), cm, pixels);
        } else {
            BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = rgb.createGraphics();
            g.drawImage(image, 0, 0, Color.WHITE, null);
            g.dispose();
            pixels = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < pixels.length; i++) pixels[i] &= 0xFFFFFF;       // Java2D may leave alpha bits set
        }
        return new RgbImage(w, h, pixels);
    }

    /** Grey (+ optional alpha) samples of any bit depth → 8-bit R = G = B, composited on white. */
    private static void copyGrey(Raster raster, ColorModel cm, int[] pixels) {
        int w = raster.getWidth(), h = raster.getHeight();
        double greyMax = (1L << cm.getComponentSize(0)) - 1;
        boolean alpha = cm.hasAlpha() && raster.getNumBands() > 1;
        double alphaMax = alpha ? (1L << cm.getComponentSize(1)) - 1 : 1;
        int[] grey = new int[w], a = alpha ? new int[w] : null;
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, grey);
            if (alpha) raster.getSamples(0, y, w, 1, 1, a);
            for (int x = 0; x < w; x++) {
                double v = grey[x] * 255.0 / greyMax;
                if (alpha) {
                    double opacity = a[x] / alphaMax;
                    v = v * opacity + 255.0 * (1 - opacity);
                }
                int g = (int) Math.round(v);
                pixels[y * w + x] = (g << 16) | (g << 8) | g;
            }
        }
    }
}
