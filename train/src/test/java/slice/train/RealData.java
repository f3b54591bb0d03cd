package slice.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import slice.engine.SharedData;

/** The shared data the end-to-end tests train on (skipped when absent, see {@link SharedData}). */
final class RealData {
    private RealData() { }

    /** The AT&T faces: 40 people, 10 grey 92×112 photos each, in {@code s1} … {@code s40}. */
    static Path attFaces() {
        return SharedData.require("faces/att_faces");
    }

    /**
     * A data folder of {@code people}'s photos from the shared folder {@code faces} (e.g. {@code faces/lfw_scenes_min20}),
     * at most {@code limit} each in file-name order, copied into {@code into} (one sub-folder per person).
     */
    static Path copyOfPeople(String faces, List<String> people, int limit, Path into) throws IOException {
        for (String person : people) {
            Path from = SharedData.require(faces + "/" + person), to = Files.createDirectories(into.resolve(person));
            try (var files = Files.list(from)) {
                for (Path f : files.sorted().limit(limit).toList()) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return into;
    }

    /** Keras' ImageNet weights of MobileNetV2 α0.35 (no top): the smallest real backbone. */
    static Path mobileNetV2Alpha035() {
        return SharedData.require("models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top.h5");
    }
}
