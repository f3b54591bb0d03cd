package slice.train.camera;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Small real JPEG files for the camera and data tests, written by ImageIO. */
public final class Jpegs {
    private Jpegs() { }

    /** A w × h image of smooth gradients plus noise from {@code seed}, so each seed gives different scan bytes. */
    static BufferedImage picture(int w, int h, long seed) {
        Random random = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / w + random.nextInt(40)) & 0xFF, g = (y * 255 / h + random.nextInt(40)) & 0xFF;
                img.setRGB(x, y, r << 16 | g << 8 | random.nextInt(256));
            }
        return img;
    }

    /** A baseline JPEG of {@link #picture}. */
    static byte[] plain(int w, int h, long seed) throws IOException {
        return write(picture(w, h, seed), false, 0);
    }

    /** A progressive JPEG: several SOS segments with DHT segments between the scans. */
    static byte[] progressive(int w, int h, long seed) throws IOException {
        return progressive(picture(w, h, seed));
    }

    /** {@code img} as a progressive JPEG. */
    public static byte[] progressive(BufferedImage img) throws IOException {
        return write(img, true, 0);
    }

    /** The raster's bands as the components of a baseline JPEG, as they are (no colour conversion). */
    public static byte[] ofRaster(Raster raster) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        return write(writer, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
    }

    /** A baseline JPEG with a DRI segment: an RSTn marker (FF D0..D7) after every {@code interval} MCUs. */
    static byte[] withRestarts(int w, int h, long seed, int interval) throws IOException {
        return write(picture(w, h, seed), false, interval);
    }

    /**
     * {@code jpeg} with an EXIF-like APP1 segment right after its SOI whose payload holds a whole JPEG thumbnail,
     * as cameras write: the payload contains FF D8 and FF D9 long before the real EOI.
     */
    static byte[] withExifThumbnail(byte[] jpeg, byte[] thumbnail) {
        byte[] header = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + header.length + thumbnail.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.write(header, 0, header.length);
        out.write(thumbnail, 0, thumbnail.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.write(p, 0, p.length);
        return out.toByteArray();
    }

    /** Where {@code pattern} first occurs in {@code bytes} at or after {@code from}, or -1. */
    static int indexOf(byte[] bytes, int from, int... pattern) {
        outer:
        for (int i = from; i + pattern.length <= bytes.length; i++) {
            for (int k = 0; k < pattern.length; k++) if ((bytes[i + k] & 0xFF) != pattern[k]) continue outer;
            return i;
        }
        return -1;
    }

    /** How many times {@code pattern} occurs in {@code bytes}. */
    static int count(byte[] bytes, int... pattern) {
        int n = 0;
        for (int i = indexOf(bytes, 0, pattern); i >= 0; i = indexOf(bytes, i + 1, pattern)) n++;
        return n;
    }

    /** Serves {@code bytes} in reads of 1 to {@code maxRead} bytes (random from {@code seed}), as a pipe may. */
    static InputStream trickle(byte[] bytes, int maxRead, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            int at;

            @Override public int read() {
                return at < bytes.length ? bytes[at++] & 0xFF : -1;
            }

            @Override public int read(byte[] b, int off, int len) {
                if (at >= bytes.length) return -1;
                int n = Math.min(Math.min(len, 1 + random.nextInt(maxRead)), bytes.length - at);
                System.arraycopy(bytes, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    private static byte[] write(BufferedImage img, boolean progressive, int restartInterval) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
        if (restartInterval > 0) {
            String format = "javax_imageio_jpeg_image_1.0";
            IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
            IIOMetadataNode dri = new IIOMetadataNode("dri");
            dri.setAttribute("interval", Integer.toString(restartInterval));
            IIOMetadataNode markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
            markers.insertBefore(dri, markers.getFirstChild());
            metadata.setFromTree(format, root);
        }
        return write(writer, new IIOImage(img, null, metadata), param);
    }

    /** Writes {@code image} with {@code writer} and {@code param}, then disposes of the writer. */
    private static byte[] write(ImageWriter writer, IIOImage image, ImageWriteParam param) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
