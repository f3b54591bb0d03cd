package slice.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import slice.weights.KerasH5File;

/**
 * Inputs that used to train a worse model with exit 0 are refused through the command line: a backbone weight edited
 * to 1.8·10³⁷, and a file in the cache under an official name that is not the one recorded when it arrived.
 */
class SilentlyWrongTest {
    @TempDir Path tmp;

    @Test
    void aBackboneWeightBeyondTheBoundIsRefusedNamingTheTensor() throws Exception {
        Path faces = RealData.copyOfPeople("faces/att_faces", List.of("s1", "s2"), 4, tmp.resolve("faces"));
        String tensor = "/Conv1/Conv1/kernel:0";
        Path edited = NonFiniteTest.withValue(RealData.mobileNetV2Alpha035(), tensor, 2, 1.8e37f, tmp.resolve("edited.h5"));
        BadInputTest.assertOneLineError(edited + ": tensor " + tensor + " holds 1.8E37 at index 2 of 432, beyond the 100000.0 no"
                + " pretrained weight comes near (a damaged or edited file?)", "train", "--data", faces.toString(), "--faces", "whole",
                "--model", "mobilenetv2", "--alpha", "0.35", "--size", "96", "--weights", edited.toString(),
                "--out", tmp.resolve("out").toString(),
                "--cache", tmp.resolve("cache").toString());
    }

    /**
     * The α0.35 file for 96 px has no published checksum. Put in the cache by hand (as the offline message says to), it
     * is recorded on first use; replaced by a file of the same size with one weight changed, {@code weights fetch} and
     * {@code train --weights auto} both refuse it.
     */
    @Test
    void aReplacedFileInTheCacheIsRefusedWithWeightsAuto() throws Exception {
        Path cache = tmp.resolve("cache");
        Path cached = Files.createDirectories(cache.resolve("keras"))
                .resolve("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5");
        Files.copy(RealData.mobileNetV2Alpha035(), cached);
        String[] fetch = {"weights", "fetch", "--alpha", "0.35", "--size", "96", "--cache", cache.toString()};
        BadInputTest.Result first = BadInputTest.run(fetch);
        assertEquals(0, first.exit(), first.err());
        assertTrue(Files.readString(cached.resolveSibling(cached.getFileName() + ".sha256")).startsWith("bytes 2019640\n"));

        float[] kernel;
        try (KerasH5File h5 = KerasH5File.open(cached)) {
            kernel = h5.read(h5.layers().stream().flatMap(l -> l.tensors().stream()).filter(t -> t.path().equals("/Conv1/Conv1/kernel:0"))
                    .findFirst().orElseThrow());
        }
        NonFiniteTest.withValue(RealData.mobileNetV2Alpha035(), "/Conv1/Conv1/kernel:0", 0, 2 * kernel[0], cached);
        String refused = "the cached file " + cached + " is not the file that arrived (";
        BadInputTest.Result again = BadInputTest.run(fetch);
        assertEquals(2, again.exit(), again.err());
        assertTrue(again.err().startsWith("error: " + refused) && again.err().strip().endsWith(
                "): modified or replaced; delete it to download it again"), again.err());

        Path faces = RealData.copyOfPeople("faces/att_faces", List.of("s1", "s2"), 4, tmp.resolve("faces"));
        RelaunchTest.Run train = RelaunchTest.java(List.of("-Dslice.cache=" + cache), "train", "--data", faces.toString(),
                "--faces", "whole", "--model", "mobilenetv2", "--alpha", "0.35", "--size", "96", "--weights", "auto",
                "--out", tmp.resolve("out").toString());
        assertEquals(2, train.exit(), train.err());
        assertTrue(train.err().lines().anyMatch(l -> l.startsWith("error: " + refused)), train.err());
    }
}
