package slice.models.face;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of the image face-api.js feeds its 68-point landmark nets for one detection, and the way from the nets'
 * 136 outputs back to image pixels ({@code extractFaceTensors}, {@code FaceLandmark68NetBase.postProcess} and
 * {@code extendWithFaceLandmarks} of {@code @vladmandic/face-api} 1.7.15).
 *
 * <p><b>Crop.</b> The detection box clipped to the image and floored, each number separately as face-api's
 * {@code Box.clipAtImageBorders} does: with {@code x̄ = max(x, 0)}, {@code ȳ = max(y, 0)},
 * <pre>
 *   crop = (floor(x̄), floor(ȳ), floor(min(x + w − x̄, W − x̄)), floor(min(y + h − ȳ, H − ȳ)))
 * </pre>
 * It is padded to a square with zeros on both sides of its shorter dimension and resized to 112 × 112
 * ({@link SquareInput#padAndResize}, {@code centred}).
 *
 * <p><b>Back to pixels.</b> The nets output {@code (o_x, o_y)} per point as fractions of the 112 × 112 input. With the
 * crop {@code w × h}, {@code k = 112 / max(w, h)}, the resized crop {@code w·k × h·k}, and face-api's padding
 * {@code p_x = (h·k − w·k) / 2} if {@code w < h} (else 0), {@code p_y} likewise,
 * <pre>
 *   x = (112·o_x − p_x) / (w·k) · w + X,    y = (112·o_y − p_y) / (h·k) · h + Y
 * </pre>
 * where {@code (X, Y)} is the detection box's own corner {@code (x, y)}, unclipped and unfloored: face-api shifts the
 * points by the box it detected, not by the crop it cut (they differ by under a pixel, or by the part cut off when the
 * box leaves the image on the left or top). Also face-api's {@code p_x} is half the padding in resized pixels,
 * while {@link SquareInput} pads {@code floor(d / 2)} crop pixels before — half a crop pixel apart when {@code d} is
 * odd. Both are kept so that the points are face-api's.
 */
public record LandmarkCrop(int x, int y, int width, int height, double originX, double originY) {
    /** Side of the landmark nets' square input. */
    public static final int INPUT_SIZE = 112;

    /** The crop for {@code detection} in an {@code imageWidth × imageHeight} image. */
    public static LandmarkCrop of(Box detection, int imageWidth, int imageHeight) {
        double left = Math.max(detection.x(), 0), top = Math.max(detection.y(), 0);
        double width = Math.min(detection.right() - left, imageWidth - left);
        double height = Math.min(detection.bottom() - top, imageHeight - top);
        int cropWidth = (int) Math.floor(width), cropHeight = (int) Math.floor(height);
        if (cropWidth <= 0 || cropHeight <= 0)
            throw new IllegalArgumentException("face box " + detection + " has no whole pixel inside the "
                    + imageWidth + "x" + imageHeight + " image");
        return new LandmarkCrop((int) Math.floor(left), (int) Math.floor(top), cropWidth, cropHeight, detection.x(), detection.y());
    }

    /** The landmark nets' input: this crop of {@code pixels} (0xRRGGBB), centred in a square, at 112 × 112 × 3, RGB 0..255. */
    public float[] input(int[] pixels, int imageWidth, int imageHeight) {
        return SquareInput.padAndResize(pixels, imageWidth, imageHeight, x, y, width, height, true, INPUT_SIZE);
    }

    /** The 68 points in image pixels from the nets' 136 outputs {@code o_x0, o_y0, o_x1, …}. */
    public FaceLandmarks68 landmarks(float[] netOutput) {
        if (netOutput.length != 2 * FaceLandmarks68.COUNT)
            throw new IllegalArgumentException("landmark net output has " + netOutput.length + " numbers, expected 136");
        double k = INPUT_SIZE / (double) Math.max(width, height);
        double resizedWidth = width * k, resizedHeight = height * k;
        double padX = width < height ? (resizedHeight - resizedWidth) / 2 : 0;
        double padY = height < width ? (resizedWidth - resizedHeight) / 2 : 0;
        List<Point> points = new ArrayList<>(FaceLandmarks68.COUNT);
        for (int i = 0; i < FaceLandmarks68.COUNT; i++) {
            double relativeX = (INPUT_SIZE * (double) netOutput[2 * i] - padX) / resizedWidth;
            double relativeY = (INPUT_SIZE * (double) netOutput[2 * i + 1] - padY) / resizedHeight;
            points.add(new Point(relativeX * width + originX, relativeY * height + originY));
        }
        return new FaceLandmarks68(points);
    }
}
