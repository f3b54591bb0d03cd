package slice.train.camera;

/**
 * One camera frame: its encoded image bytes (a JPEG from a stream, any image file from a folder), a name for messages
 * ({@code frame 17} in a stream, the file's path in a folder) and the {@link System#nanoTime()} at which the source had
 * it complete, from which {@link CameraLoop} measures the frame's latency.
 */
public record Frame(String name, byte[] bytes, long arrivalNanos) implements FrameSource.Item { }
