package slice.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import slice.engine.Layer;
import slice.models.ModelSpec;

/** The three graphs over one set of layers, on a small MobileNetV2 (α0.35, 32 px; weights stay zero). */
class FaceModelTest {
    static FaceModel build(String cut, String fineTuneFrom, int hidden) {
        return FaceModel.build(ModelSpec.of("mobilenetv2", 0.35f, 32, false, 0), cut, fineTuneFrom, new FaceModel.Head(hidden, 0.2f), 5, 1);
    }

    @Test
    void headOnlyOnThePooledFeatures() {
        FaceModel m = build(null, null, 0);
        assertEquals("global_average_pooling2d", m.cut);
        assertEquals("global_average_pooling2d", m.extractor.output().name);
        assertEquals(m.extractor.output(), m.trainable.source());
        assertEquals("logits", m.trainable.output().name);
        assertEquals(1, m.trainable.layers().size(), "only the classifier");
        assertArrayEquals(new int[] {5}, m.full.outputShape());
        for (Layer l : m.extractor.layers()) assertFalse(l.isTrainable(), l.name);
        assertEquals("global_average_pooling2d", m.cacheKey());
    }

    @Test
    void aSpatialCutIsPooledInTheHead() {
        FaceModel m = build("block_13_expand_relu", null, 16);
        assertEquals("head_pool", m.extractor.output().name);
        assertEquals("block_13_expand_relu+pool", m.cacheKey());
        assertEquals(java.util.List.of("head_dense", "head_relu", "head_dropout", "logits"),
                m.trainable.layers().stream().map(l -> l.name).toList());
        assertFalse(m.full.hasLayer("out_relu"), "the backbone ends at the cut");
    }

    @Test
    void fineTuningCachesAtTheLayerAndTrainsEverythingAfterIt() {
        FaceModel m = build(null, "block_13_expand_relu", 0);
        assertEquals("block_13_expand_relu", m.cacheKey());
        assertEquals("block_13_expand_relu", m.trainable.source().name);
        assertTrue(m.trainable.hasLayer("block_16_project_BN") && m.trainable.hasLayer("Conv_1_bn"));
        for (Layer l : m.trainable.layers()) assertTrue(l.isTrainable(), l.name);
        for (Layer l : m.extractor.layers()) assertFalse(l.isTrainable(), l.name);
    }

    @Test
    void layersThatCannotBeCutAreErrorsInTheDomainsWords() {
        InvalidSetting residual = assertThrows(InvalidSetting.class, () -> build(null, "block_2_expand_relu", 0));
        assertEquals(InvalidSetting.Setting.FINE_TUNE_LAYER, residual.setting);
        assertTrue(residual.getMessage().startsWith("fine-tune layer block_2_expand_relu: the layers after it also need"),
                residual.getMessage());
        InvalidSetting cut = assertThrows(InvalidSetting.class, () -> build("nope", null, 0));
        assertEquals(InvalidSetting.Setting.CUT_LAYER, cut.setting);
        assertEquals("cut layer: mobilenetv2 has no layer named 'nope'", cut.getMessage());
        assertEquals("hidden units must be >= 0, got -1", assertThrows(InvalidSetting.class, () -> build(null, null, -1)).getMessage());
    }

    @Test
    void extractionBatchShrinksWithTheHeap() {
        FaceModel m = FaceModel.build(ModelSpec.of("mobilenetv2", 1.0f, 224, false, 0), null, null, new FaceModel.Head(0, 0f), 2, 1);
        long floats = m.extractor.source().outputSize();
        for (Layer l : m.extractor.layers()) floats += l.outputSize();
        long expected = Math.max(1, Math.min(32, Runtime.getRuntime().maxMemory() / 5 / (4 * floats)));
        assertEquals(expected, FaceModel.batchFor(m.extractor, 32));
        assertTrue(floats > 5_000_000, "MobileNetV2 1.0/224 keeps millions of activations per image: " + floats);
    }
}
