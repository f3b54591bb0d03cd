package slice.train.camera;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where camera frames come from: {@link MjpegFrames} (a byte stream such as stdin) or {@link DirectoryFrames} (a folder
 * a camera writes into). {@link #next()} blocks until the next {@link Item}; {@link #close()} may be called from another
 * thread to end a source that is waiting.
 */
public interface FrameSource extends Closeable {
    /** The largest frame a source accepts unless told otherwise: 32 MiB. */
    int MAX_FRAME_BYTES = 32 << 20;

    /** What a source yields: a usable {@link Frame}, a {@link Lost} frame, or {@link Skipped} bytes between frames. */
    sealed interface Item permits Frame, Lost, Skipped { }

    /** A frame that cannot be used (truncated, oversized, not an image file), with a one-line reason. */
    record Lost(String name, String reason) implements Item { }

    /** {@code bytes} bytes that belong to no frame (noise between frames in a stream) were skipped. */
    record Skipped(long bytes) implements Item { }

    /**
     * The next item, or {@code null} when the source has ended (end of stream, or closed).
     *
     * @throws IOException when reading fails for another reason than bad frame data (which gives a {@link Lost})
     */
    Item next() throws IOException, InterruptedException;
}
