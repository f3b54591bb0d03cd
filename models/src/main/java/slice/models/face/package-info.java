/**
 * face-api.js's face networks ({@link slice.models.face.TinyFaceDetector}, {@link slice.models.face.FaceLandmarkNet},
 * {@link slice.models.face.FaceRecognitionNet}) and the geometry around them: what goes into them and what their outputs
 * mean in the photo, plus the alignment that turns a found face into an upright crop for the backbone.
 *
 * <pre>{@code
 * float[] detectorIn = SquareInput.forDetector(pixels, width, height, 416);           // RGB 0..255, 416 × 416 × 3
 * // … the Tiny Face Detector turns detectorIn into a 13 × 13 × 25 map `out` …
 * List<FaceDetection> faces = YoloDecoder.TINY_FACE_DETECTOR.decode(out, width, height, 416, 0.5);
 * for (FaceDetection face : faces) {
 *     LandmarkCrop crop = LandmarkCrop.of(face.box(), width, height);
 *     float[] landmarkIn = crop.input(pixels, width, height);                          // 112 × 112 × 3
 *     // … a 68-point landmark net turns landmarkIn into 136 numbers `points` …
 *     FaceLandmarks68 landmarks = crop.landmarks(points);                               // image pixels
 *     int[] aligned = new FaceAligner(160, 0.2).align(pixels, width, height, landmarks); // 160 × 160, 0xRRGGBB
 *     float[] descriptorIn = FaceDescriber.input(pixels, width, height, landmarks);     // 150 × 150 × 3, the dlib box
 * }
 * }</pre>
 * {@link slice.models.face.FaceFinder} and {@link slice.models.face.FaceDescriber} run the networks on all of that.
 * Images are {@code int[]} of {@code 0xRRGGBB}, row-major. The networks' own normalisation (face-api subtracts a mean
 * RGB and divides by 255) is theirs, not {@link slice.models.face.SquareInput}'s.
 */
package slice.models.face;
