package slice.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import slice.models.Architecture;

class KerasApplicationsTest {
    private static final String BASE = "https://storage.googleapis.com/tensorflow/keras-applications/";

    @Test
    void mobileNetV2UrlsFollowKerasNaming() {
        RemoteFile f = KerasApplications.mobileNetV2(0.35f, 224, false);
        assertEquals(BASE + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5", f.url().toString());
        assertEquals(2_019_640, f.size());
        assertEquals("df1c3db1d0d9193719c4c70f707c56f7021f999f825bdc57454c275cf6def19f", f.sha256());
        RemoteFile top = KerasApplications.mobileNetV2(1.0f, 224, true);
        assertEquals("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", top.fileName());
        assertEquals(14_536_120, top.size());
        assertEquals("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_96_no_top.h5", KerasApplications.mobileNetV2(0.5f, 96, false).fileName());
        assertEquals(-1, KerasApplications.mobileNetV2(0.5f, 96, false).size());
    }

    @Test
    void sizeWithoutItsOwnFileUsesThe224Weights() {
        assertEquals("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_224_no_top.h5", KerasApplications.mobileNetV2(1.4f, 300, false).fileName());
    }

    @Test
    void inceptionV3FilesCarryThePublishedMd5() {
        RemoteFile notop = KerasApplications.forModel(Architecture.INCEPTION_V3, 1f, 299, false);
        assertEquals(BASE + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", notop.url().toString());
        assertEquals("bcbd6486424b2319ff4ef7d526e38f63", notop.md5());
        assertEquals(87_910_968, notop.size());
        assertEquals("9a0d58056eeedaa3f26cb7ebd46da564", KerasApplications.inceptionV3(true).md5());
    }

    @Test
    void registryHasEveryFileOnce() {
        List<RemoteFile> all = KerasApplications.all();
        assertEquals(6 * 5 * 2 + 2, all.size());
        assertEquals(all.size(), new HashSet<>(all.stream().map(RemoteFile::url).toList()).size());
    }

    @Test
    void unknownAlphaIsAOneLineError() {
        assertEquals("MobileNetV2 ImageNet weights exist for alpha [0.35, 0.5, 0.75, 1.0, 1.3, 1.4], not 0.6",
                assertThrows(WeightsException.class, () -> KerasApplications.mobileNetV2(0.6f, 224, false)).getMessage());
    }

    @Test
    void everyKerasArchitectureHasItsFilesInTheRegistry() {
        List<RemoteFile> all = KerasApplications.all();
        for (Architecture a : List.of(Architecture.MOBILENET_V2, Architecture.INCEPTION_V3)) {
            for (boolean top : new boolean[] {false, true}) {
                RemoteFile f = KerasApplications.forModel(a, 1f, a.defaultSize, top);
                assertTrue(all.contains(f), a + (top ? " with top: " : " without top: ") + f);
            }
        }
        assertEquals("face-resnet's weights are face-api.js's face_recognition_model (FaceApiModels), not a Keras file",
                assertThrows(IllegalArgumentException.class, () -> KerasApplications.forModel(Architecture.FACE_RESNET, 1f, 150, false))
                        .getMessage());
    }
}
