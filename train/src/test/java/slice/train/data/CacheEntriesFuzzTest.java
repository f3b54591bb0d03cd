package slice.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import slice.engine.Cases;
import slice.engine.Mutation;
import slice.engine.Refusal;
import slice.engine.Scratch;
import slice.models.face.Similarity;

/**
 * The on-disk caches a run reads back, damaged (a full disk, a crash, a bad sector): a damaged entry is reported as
 * absent, so the photo is detected or the features computed again — never an exception, never a wrong value. Face
 * entries ({@link FaceIndex#readEntry}) are text; feature entries ({@link FeatureCache#load}) carry a CRC32.
 */
class CacheEntriesFuzzTest {
    private static final long MAX_BYTES = 16 << 20;
    private static final List<String> FACE_ENTRIES = List.of("2 0.5 -0.25 12.0 -3.5\n", "0\n", "1 1.0E-3 2.5E7 -0.0 4.0\n");
    private static final float[] FEATURES = {1.5f, -2f, 0f, 3e8f, Float.MIN_VALUE};
    private static final byte[] FEATURE_ENTRY = featureEntry(FEATURES);
    private static Scratch scratch;

    /** "SLFC", version 1, length, the floats, CRC32 of all before it; little-endian (the format FeatureCache writes). */
    private static byte[] featureEntry(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * values.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x43464C53).putInt(1).putInt(values.length);
        for (float v : values) b.putFloat(v);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        return b.putInt((int) crc.getValue()).array();
    }

    @BeforeAll static void makeScratch() throws IOException {
        scratch = new Scratch();
    }

    @AfterAll static void removeScratch() throws IOException {
        scratch.close();
    }

    private static FaceIndex.Face readFace(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path entry = t.write("x.face", bytes);
            FaceIndex.Face[] read = new FaceIndex.Face[1];
            Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> read[0] = FaceIndex.readEntry(entry));
            return read[0];
        }
    }

    /** Which face entry, damaged how. */
    record Case(int entry, List<Mutation> edits) { }

    @Test
    void damagedFaceEntryIsUsedOrDetectedAgain() {
        Cases.run(1418, 1000, r -> new Case(r.nextInt(FACE_ENTRIES.size()), Mutation.edits(r)), c -> {
            FaceIndex.Face face = readFace(Mutation.applyAll(FACE_ENTRIES.get(c.entry()).getBytes(StandardCharsets.US_ASCII), c.edits()));
            return face == null ? "detected again" : "used";
        }).assertSeen("used", "detected again");
    }

    /** Seen in the loader while writing the fuzz test: a damaged byte was a MalformedInputException, NaN an IllegalArgumentException. */
    @Test
    void aFaceEntryWithANonUtf8ByteOrANonFiniteNumberIsDetectedAgain() throws IOException {
        assertNull(readFace(new byte[] {'1', ' ', (byte) 0xC3, '5', ' ', '0', ' ', '0', ' ', '0', '\n'}));
        assertNull(readFace("1 NaN 0 0 0\n".getBytes(StandardCharsets.US_ASCII)));
        assertNull(readFace("1 Infinity 0 0 0\n".getBytes(StandardCharsets.US_ASCII)));
        FaceIndex.Face written = new FaceIndex.Face(new Similarity(0.5, -0.25, 12, -3.5), 2);
        assertEquals(written, readFace(FACE_ENTRIES.get(0).getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void damagedFeatureEntryIsComputedAgain() {
        Cases.run(1419, 1000, Mutation::edits, edits -> {
            byte[] bytes = Mutation.applyAll(FEATURE_ENTRY, edits);
            try (Scratch.Try t = scratch.newTry()) {
                Path entry = t.write("x.f32", bytes);
                float[] dst = new float[FEATURES.length + 2];
                boolean[] loaded = new boolean[1];
                Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> loaded[0] = FeatureCache.load(entry, FEATURES.length, dst, 1));
                // CRC32 catches every damage of a few bits or bytes: what loads is the entry as written.
                if (loaded[0]) assertArrayEquals(FEATURES, Arrays.copyOfRange(dst, 1, 1 + FEATURES.length));
                assertTrue(!loaded[0] || Arrays.equals(bytes, FEATURE_ENTRY), "a damaged entry loaded");
                return loaded[0] ? "loaded" : "computed again";
            }
        });
    }

    @Test
    void anUndamagedFeatureEntryLoads() throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            float[] dst = new float[FEATURES.length];
            assertTrue(FeatureCache.load(t.write("x.f32", FEATURE_ENTRY), FEATURES.length, dst, 0));
            assertArrayEquals(FEATURES, dst);
        }
    }
}
