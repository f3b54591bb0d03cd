package slice.train.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import slice.models.face.Box;
import slice.models.face.FaceFinder;
import slice.models.face.FaceLandmarks68;
import slice.models.face.Point;
import slice.train.data.RgbImage;

/**
 * Our face detection against what face-api.js itself computes (tfjs CPU backend, input 416, threshold 0.5) on the six
 * demo photos and twelve LFW scenes of {@code reference/face_api/reference.json}: the same faces and no other, each
 * box with IoU ≥ 0.98 and a score within 0.01 of the reference, and every one of the 68 landmarks of both landmark nets
 * within 1 % of the box's larger side. The photos are decoded by our own decoder (face-api used a JavaScript one), so
 * pixels may differ by a grey level or two: the tolerances allow for that.
 */
class FaceApiConformanceTest {
    @Test
    void detectorAndLandmarkNetsFindWhatFaceApiFinds() throws IOException {
        JsonObject reference = FaceApiReference.json();
        int inputSize = reference.get("input_size").getAsInt();
        double threshold = reference.get("score_threshold").getAsDouble();
        FaceFinder full = new FaceFinder(FaceApiReference.detector(inputSize), FaceApiReference.landmarks(false));
        FaceFinder tiny = new FaceFinder(FaceApiReference.detector(inputSize), FaceApiReference.landmarks(true));
        double worstIou = 1, worstScore = 0, worstPoint = 0, worstTinyPoint = 0;
        int faces = 0;
        for (JsonElement e : reference.getAsJsonArray("images")) {
            JsonObject image = e.getAsJsonObject();
            String stem = image.get("image").getAsString();
            RgbImage photo = FaceApiReference.photo(stem);
            assertEquals(image.get("width").getAsInt(), photo.width(), stem);
            assertEquals(image.get("height").getAsInt(), photo.height(), stem);
            List<FaceFinder.Face> found = full.find(photo.pixels(), photo.width(), photo.height(), threshold);
            List<FaceFinder.Face> foundTiny = tiny.find(photo.pixels(), photo.width(), photo.height(), threshold);
            JsonArray expected = image.getAsJsonArray("faces");
            assertEquals(expected.size(), found.size(), stem + ": number of faces");
            for (int i = 0; i < expected.size(); i++) {
                JsonObject ref = expected.get(i).getAsJsonObject();
                Box box = box(ref.getAsJsonArray("box"));
                FaceFinder.Face face = found.get(i);
                double iou = box.iou(face.detection().box());
                double score = Math.abs(ref.get("score").getAsDouble() - face.detection().score());
                double side = Math.max(box.width(), box.height());
                double point = maxDistance(ref.getAsJsonArray("landmarks68"), face.landmarks()) / side;
                double tinyPoint = maxDistance(ref.getAsJsonArray("landmarks68_tiny"), foundTiny.get(i).landmarks()) / side;
                String what = String.format(Locale.ROOT, "%s face %d: 1 - IoU %.1e, |Δscore| %.1e, landmarks %.1e (tiny %.1e) of the box",
                        stem, i, 1 - iou, score, point, tinyPoint);
                System.out.println(what);
                assertTrue(iou >= 0.98 && score <= 0.01 && point <= 0.01 && tinyPoint <= 0.01, what);
                worstIou = Math.min(worstIou, iou);
                worstScore = Math.max(worstScore, score);
                worstPoint = Math.max(worstPoint, point);
                worstTinyPoint = Math.max(worstTinyPoint, tinyPoint);
                faces++;
            }
        }
        System.out.printf(Locale.ROOT, "%d faces: worst 1 - IoU %.1e, |Δscore| %.1e, landmark %.1e (tiny %.1e) of the box%n",
                faces, 1 - worstIou, worstScore, worstPoint, worstTinyPoint);
        assertTrue(faces >= 30, "the reference has 32 faces, found " + faces);
    }

    private static Box box(JsonArray a) {
        return new Box(a.get(0).getAsDouble(), a.get(1).getAsDouble(), a.get(2).getAsDouble(), a.get(3).getAsDouble());
    }

    private static double maxDistance(JsonArray expected, FaceLandmarks68 got) {
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            JsonArray p = expected.get(i).getAsJsonArray();
            Point q = got.point(i);
            worst = Math.max(worst, Math.hypot(p.get(0).getAsDouble() - q.x(), p.get(1).getAsDouble() - q.y()));
        }
        return worst;
    }
}
