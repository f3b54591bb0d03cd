package slice.train.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import slice.models.face.Box;
import slice.models.face.FaceDescriber;
import slice.models.face.FaceFinder;
import slice.models.face.FaceLandmarks68;
import slice.models.face.Point;
import slice.train.data.RgbImage;

/**
 * Our face descriptors against face-api.js's ({@code withFaceDescriptors()}, tfjs CPU backend) on every face of
 * {@code reference/face_api/reference.json}: our detector and full landmark net find the faces, our recognition net
 * describes them from our landmarks, and each of the 128 numbers must be within 1e-4 of the reference, the cosine
 * similarity at least 0.99999. The descriptor from the reference's own landmarks is printed beside it, to tell a
 * difference of the landmarks (which move the crop) from one of the network.
 */
class FaceApiDescriptorTest {
    @Test
    void descriptorsMatchFaceApiOnEveryReferenceFace() throws IOException {
        JsonObject reference = FaceApiReference.json();
        FaceFinder finder = new FaceFinder(FaceApiReference.detector(reference.get("input_size").getAsInt()),
                FaceApiReference.landmarks(false));
        FaceDescriber describer = new FaceDescriber(FaceApiReference.descriptor());
        double threshold = reference.get("score_threshold").getAsDouble();
        double worstDelta = 0, worstCosine = 1, worstDeltaRefLandmarks = 0;
        String worst = "";
        int faces = 0;
        for (JsonElement e : reference.getAsJsonArray("images")) {
            JsonObject image = e.getAsJsonObject();
            String stem = image.get("image").getAsString();
            RgbImage photo = FaceApiReference.photo(stem);
            List<FaceFinder.Face> found = finder.find(photo.pixels(), photo.width(), photo.height(), threshold);
            JsonArray expected = image.getAsJsonArray("faces");
            assertEquals(expected.size(), found.size(), stem + ": number of faces");
            List<FaceLandmarks68> ours = new ArrayList<>(), theirs = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                ours.add(found.get(i).landmarks());
                theirs.add(landmarks(expected.get(i).getAsJsonObject().getAsJsonArray("landmarks68")));
            }
            float[][] descriptors = describer.describe(photo.pixels(), photo.width(), photo.height(), ours);
            float[][] fromReferenceLandmarks = describer.describe(photo.pixels(), photo.width(), photo.height(), theirs);
            for (int i = 0; i < expected.size(); i++) {
                float[] want = floats(expected.get(i).getAsJsonObject().getAsJsonArray("descriptor"));
                double delta = maxDelta(want, descriptors[i]), cosine = cosine(want, descriptors[i]);
                double deltaRef = maxDelta(want, fromReferenceLandmarks[i]);
                Box box = ours.get(i).dlibBox(), referenceBox = theirs.get(i).dlibBox();
                String what = String.format(Locale.ROOT, "%s face %d: max |Δ| %.2e, 1 − cosine %.1e (from the reference landmarks: "
                        + "max |Δ| %.2e)%s", stem, i, delta, 1 - cosine, deltaRef,
                        box.equals(referenceBox) ? "" : "; dlib box " + box + ", from the reference landmarks " + referenceBox);
                System.out.println(what);
                if (delta > worstDelta) worst = what;
                worstDelta = Math.max(worstDelta, delta);
                worstCosine = Math.min(worstCosine, cosine);
                worstDeltaRefLandmarks = Math.max(worstDeltaRefLandmarks, deltaRef);
                faces++;
            }
        }
        System.out.printf(Locale.ROOT, "%d faces: worst max |Δ| %.2e, worst 1 − cosine %.1e; from the reference landmarks worst max "
                + "|Δ| %.2e%nworst face: %s%n", faces, worstDelta, 1 - worstCosine, worstDeltaRefLandmarks, worst);
        assertTrue(faces >= 30, "the reference has 32 faces, found " + faces);
        assertTrue(worstDelta <= 1e-4 && worstCosine >= 0.99999, worst);
    }

    private static FaceLandmarks68 landmarks(JsonArray points) {
        List<Point> list = new ArrayList<>();
        for (JsonElement p : points) {
            list.add(new Point(p.getAsJsonArray().get(0).getAsDouble(), p.getAsJsonArray().get(1).getAsDouble()));
        }
        return new FaceLandmarks68(list);
    }

    private static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = a.get(i).getAsFloat();
        return f;
    }

    private static double maxDelta(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(aa * bb);
    }
}
