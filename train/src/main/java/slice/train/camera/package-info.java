/**
 * Live camera frames: a {@link slice.train.camera.FrameSource} ({@link slice.train.camera.MjpegFrames} for a stream of
 * JPEGs on stdin, {@link slice.train.camera.DirectoryFrames} for a folder a camera writes into), a
 * {@link slice.train.camera.CameraLoop} that hands the newest frame to a {@link slice.train.camera.FrameProcessor}
 * through a {@link slice.train.camera.LatestFrameQueue}, dropping frames it cannot keep up with, and
 * {@link slice.train.camera.FrameStats} for the summary.
 *
 * <pre>{@code
 * FrameSource source = watchDir != null
 *         ? new DirectoryFrames(watchDir, false, DirectoryFrames.DEFAULT_SETTLE, FrameSource.MAX_FRAME_BYTES)
 *         : new MjpegFrames(System.in, FrameSource.MAX_FRAME_BYTES);
 * FrameProcessor faces = frame -> describeFaces(frame.name(), ImageDecoder.decode(frame.bytes()));  // a line per face
 * CameraLoop loop = new CameraLoop(source, faces, 1, System.out::println, System.err::println);
 * Runtime.getRuntime().addShutdownHook(loop.shutdownHook());   // Ctrl-C still prints the summary, once
 * FrameStats stats = loop.run();                                // until the stream ends
 * }</pre>
 *
 * On a Raspberry Pi:
 * <pre>
 * rpicam-vid -t 0 -n --codec mjpeg --width 640 --height 480 --framerate 15 --flush -o - \
 *     | java -jar train.jar predict --model face-model --stream
 * rpicam-still -t 0 -n --timelapse 1000 --width 640 --height 480 -o frames/frame%04d.jpg &amp;
 * java -jar train.jar predict --model face-model --watch frames
 * </pre>
 * Memory stays bounded whatever the camera sends: the stream reader keeps at most one frame (up to its limit), the
 * queue its capacity, and the processor the frame in hand. Bad data costs a frame and one warning line, never the run.
 */
package slice.train.camera;
