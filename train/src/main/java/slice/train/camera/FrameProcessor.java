package slice.train.camera;

import java.io.IOException;
import java.util.List;

/**
 * What {@link CameraLoop} does with each frame: decode, detect, recognise, and return one line per face (none for a
 * frame without faces). A frame that cannot be used is an {@link IOException} or a
 * {@link slice.train.data.DataException} whose message is the reason; the loop warns, counts it corrupt and goes on.
 * Any other exception is a bug and ends the loop.
 */
@FunctionalInterface
public interface FrameProcessor {
    List<String> process(Frame frame) throws IOException;
}
