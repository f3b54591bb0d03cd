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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
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

    @BeforeContainer static void makeScratch() throws IOException {
        scratch = new Scratch();
    }

    @AfterContainer static void removeScratch() throws IOException {
        scratch.close();
    }

    @Provide Arbitrary<Integer> faceEntry() {
        return Arbitraries.integers().between(0, FACE_ENTRIES.size() - 1);
    }

    @Provide Arbitrary<List<Mutation>> edits() {
        return Mutation.edits();
    }

    private static FaceIndex.Face readFace(byte[] bytes) throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            Path entry = t.write("x.face", bytes);
            FaceIndex.Face[] read = new FaceIndex.Face[1];
            Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> read[0] = FaceIndex.readEntry(entry));
            return read[0];
        }
    }

    @Property(seed = "1418", tries = 1000)
    void damagedFaceEntryIsUsedOrDetectedAgain(@ForAll("faceEntry") int seed, @ForAll("edits") List<Mutation> edits) throws IOException {
        FaceIndex.Face face = readFace(Mutation.applyAll(FACE_ENTRIES.get(seed).getBytes(StandardCharsets.US_ASCII), edits));
        Statistics.label("entry").collect(face == null ? "detected again" : "used");
        Statistics.label("entry").coverage(c -> {
            c.check("used").count(n -> n > 0);
            c.check("detected again").count(n -> n > 0);
        });
    }

    /** Seen in the loader while writing the property: a damaged byte was a MalformedInputException, NaN an IllegalArgumentException. */
    @Example
    void aFaceEntryWithANonUtf8ByteOrANonFiniteNumberIsDetectedAgain() throws IOException {
        assertNull(readFace(new byte[] {'1', ' ', (byte) 0xC3, '5', ' ', '0', ' ', '0', ' ', '0', '\n'}));
        assertNull(readFace("1 NaN 0 0 0\n".getBytes(StandardCharsets.US_ASCII)));
        assertNull(readFace("1 Infinity 0 0 0\n".getBytes(StandardCharsets.US_ASCII)));
        FaceIndex.Face written = new FaceIndex.Face(new Similarity(0.5, -0.25, 12, -3.5), 2);
        assertEquals(written, readFace(FACE_ENTRIES.get(0).getBytes(StandardCharsets.US_ASCII)));
    }

    @Property(seed = "1419", tries = 1000)
    void damagedFeatureEntryIsComputedAgain(@ForAll("edits") List<Mutation> edits) throws IOException {
        byte[] bytes = Mutation.applyAll(FEATURE_ENTRY, edits);
        try (Scratch.Try t = scratch.newTry()) {
            Path entry = t.write("x.f32", bytes);
            float[] dst = new float[FEATURES.length + 2];
            boolean[] loaded = new boolean[1];
            Refusal.assertReturnsOrRefuses(MAX_BYTES, () -> loaded[0] = FeatureCache.load(entry, FEATURES.length, dst, 1));
            // CRC32 catches every damage of a few bits or bytes: what loads is the entry as written.
            if (loaded[0]) assertArrayEquals(FEATURES, Arrays.copyOfRange(dst, 1, 1 + FEATURES.length));
            assertTrue(!loaded[0] || Arrays.equals(bytes, FEATURE_ENTRY), "a damaged entry loaded");
        }
    }

    @Example
    void anUndamagedFeatureEntryLoads() throws IOException {
        try (Scratch.Try t = scratch.newTry()) {
            float[] dst = new float[FEATURES.length];
            assertTrue(FeatureCache.load(t.write("x.f32", FEATURE_ENTRY), FEATURES.length, dst, 0));
            assertArrayEquals(FEATURES, dst);
        }
    }
}
