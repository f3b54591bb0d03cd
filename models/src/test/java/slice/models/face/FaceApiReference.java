package slice.models.face;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import slice.engine.SharedData;

/** Reads {@code reference/face_api/reference.json}, what face-api.js computed on the samples and scenes (skips when absent). */
final class FaceApiReference {
    private FaceApiReference() { }

    /** Every image entry: {@code image} (file stem), {@code width}, {@code height}, {@code faces}. */
    static List<JsonObject> images() throws IOException {
        String json = Files.readString(SharedData.require("reference/face_api/reference.json"));
        List<JsonObject> images = new ArrayList<>();
        for (JsonElement image : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("images"))
            images.add(image.getAsJsonObject());
        return images;
    }

    /** The faces of the image with file stem {@code stem}. */
    static List<JsonObject> faces(String stem) throws IOException {
        List<JsonObject> faces = new ArrayList<>();
        for (JsonObject image : images())
            if (image.get("image").getAsString().equals(stem))
                for (JsonElement face : image.getAsJsonArray("faces")) faces.add(face.getAsJsonObject());
        if (faces.isEmpty()) throw new IllegalStateException("reference.json has no face in " + stem);
        return faces;
    }

    /** A face's {@code landmarks68} (the full landmark net's points). */
    static FaceLandmarks68 landmarks(JsonObject face) {
        List<Point> points = new ArrayList<>();
        for (JsonElement p : face.getAsJsonArray("landmarks68"))
            points.add(new Point(p.getAsJsonArray().get(0).getAsDouble(), p.getAsJsonArray().get(1).getAsDouble()));
        return new FaceLandmarks68(points);
    }

    /** A face's {@code [x, y, w, h]} field {@code name} ({@code box} or {@code aligned_box}) as a box. */
    static Box box(JsonObject face, String name) {
        JsonArray b = face.getAsJsonArray(name);
        return new Box(b.get(0).getAsDouble(), b.get(1).getAsDouble(), b.get(2).getAsDouble(), b.get(3).getAsDouble());
    }
}
