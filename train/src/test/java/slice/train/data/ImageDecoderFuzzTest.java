package slice.train.data;

import java.awt.image.BufferedImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.train.camera.Jpegs;

/**
 * {@link ImageDecoder} on damaged images of every format it reads: an image, or an {@link IOException} whose message
 * is the one-line reason (the caller puts the file's name in front) — never another exception, and never the memory
 * a damaged header declares.
 */
class ImageDecoderFuzzTest {
    /**
     * Bytes allocated in all, garbage included. A damaged header can declare a large image that the decoder fills from a
     * few bytes, up to {@link ImageDecoder#MAX_DECODED_PIXELS} (about 400 MB to decode and convert), and the WebP
     * lossless decoder churns through short-lived buffers on a damaged stream (190 MB for a 26-byte file declaring
     * 16129 × 4 pixels, in a 100 MB heap); an image bomb declaring 65000 × 65000 pixels would need 17 GB at once.
     */
    static final long MAX_BYTES = 1L << 30;

    /**
     * WebP has no pure-Java writer: the three 1×1 images (lossy VP8, lossless VP8L, extended VP8X with alpha) that
     * Google's WebP FAQ gives for detecting WebP support.
     */
    private static final List<String> WEBP = List.of("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA",
            "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==",
            "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==");

    /** Small valid images by format name, each checked to decode. */
    private static final Map<String, byte[]> SEEDS = seeds();

    private static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        try {
            BufferedImage source = TestImages.quadrants(16, 12);
            for (String format : new String[] {"png", "bmp", "gif", "tiff", "pnm", "jpeg"}) {
                seeds.put(format, TestImages.encode(source, format));
            }
            seeds.put("progressive jpeg", Jpegs.progressive(source));
            BufferedImage grey = new BufferedImage(16, 12, BufferedImage.TYPE_USHORT_GRAY);
            grey.getRaster().setSample(3, 4, 0, 40000);
            seeds.put("16-bit grey png", TestImages.encode(grey, "png"));
            for (int i = 0; i < WEBP.size(); i++) seeds.put("webp " + i, Base64.getDecoder().decode(WEBP.get(i)));
            for (byte[] seed : seeds.values()) ImageDecoder.decode(seed);    // every seed must decode
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return seeds;
    }

    /** Which format's seed, damaged how. */
    record Case(String format, List<Mutation> edits) { }

    @Test
    void damagedImageDecodesOrIsRefusedInOneLine() {
        List<String> formats = new ArrayList<>(SEEDS.keySet());
        Cases.run(1411, 2000, r -> new Case(formats.get(r.nextInt(formats.size())), Mutation.edits(r)), c -> {
            byte[] bytes = Mutation.applyAll(SEEDS.get(c.format()), c.edits());
            return Refusal.outcome(Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> ImageDecoder.decode(bytes, 8), IOException.class));
        }).assertSeen(Refusal.LOADS, Refusal.REFUSED);
    }

    private static String refusal(byte[] bytes) {
        Throwable refusal = Refusal.assertReturnsOrRefuses(16 << 20, () -> ImageDecoder.decode(bytes, 8), IOException.class);
        assertNotNull(refusal, "refused");
        return refusal.getMessage();
    }

    /**
     * Found by the fuzz test: 12 bytes inserted into a 42-byte WebP made its frame 7641 × 13905 pixels, and the decoder
     * allocated 1.6 GB for it whatever the decimation; a file declaring far more pixels than it can hold is now refused.
     */
    @Test
    void aWebpDeclaringMorePixelsThanItCanHoldIsRefusedBeforeDecoding() {
        byte[] inserted = {12, -13, -12, 4, -39, -99, 81, -10, -17, -103, 23, 101};
        byte[] bytes = new Mutation.Insert(22, inserted).apply(SEEDS.get("webp 0"));
        assertEquals("too large to decode: a WEBP of 7641x13905 pixels in 54 bytes, even at 1/955 of its size", refusal(bytes));
    }

    /**
     * Found by the fuzz test (case 713 of 2000, seed 1411): three bytes inserted into a 34-byte lossless WebP declared
     * 11645 × 83 pixels, below {@link ImageDecoder#MAX_DECODED_PIXELS}, and its decoder allocated 8 GB decoding them.
     */
    @Test
    void aLosslessWebpDeclaringMorePixelsPerByteThanItCanHoldIsRefused() {
        byte[] bytes = Mutation.applyAll(SEEDS.get("webp 1"), List.of(new Mutation.Insert(21, new byte[] {124, 45, 20}),
                new Mutation.Field(806, 4, -1, false), new Mutation.FlipBit(59, 7)));
        assertEquals("too large to decode: a WEBP of 11645x83 pixels in 37 bytes, even at 1/10 of its size", refusal(bytes));
    }

    /** Found by the fuzz test: an extended WebP's 1 × 1 canvas around a frame whose header was overwritten with spaces. */
    @Test
    void aWebpFrameLargerThanItsCanvasCountsAsDeclared() {
        byte[] bytes = new Mutation.Run(53, 64, (byte) ' ').apply(SEEDS.get("webp 2"));
        assertEquals("too large to decode: a WEBP of 1x1 pixels with a frame of 67634176 pixels in 82 bytes", refusal(bytes));
    }
}
