package slice.train.camera;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Splits a byte stream of concatenated JPEG files (what {@code rpicam-vid --codec mjpeg -o -} writes) into frames, by
 * following each JPEG's structure rather than searching for the bytes {@code FF D9}:
 *
 * <pre>
 * frame    = SOI segment* EOI                       SOI = FF D8, EOI = FF D9 (a marker may be preceded by fill FFs)
 * segment  = FF code len(2 bytes, big-endian, counts itself) payload(len - 2)      APPn, DQT, DHT, SOFn, DRI, COM, ...
 *          | FF DA len payload(len - 2) entropy-coded data                           SOS: the header, then the scan
 *          | FF D0..D7 | FF 01                                                        RSTn, TEM: no length
 * scan     = bytes in which FF 00 is a stuffed FF and FF D0..D7 are restart markers; any other FF xx ends the scan
 * </pre>
 *
 * So an {@code FF D9} inside a segment's payload (the end of an EXIF thumbnail in APP1) does not end the frame; only
 * the EOI that follows the last scan does. A frame is found by {@code FF D8 FF}; every byte before it is skipped and
 * reported as {@link FrameSource.Skipped}. What goes wrong with a frame is a {@link FrameSource.Lost} with a one-line
 * reason, never an exception:
 * <ul>
 *   <li>a new SOI where a marker is expected (the camera restarted, or bytes were lost): the cut frame is lost and the
 *       new one is read;</li>
 *   <li>bytes that break the structure (no {@code FF} where a marker must be, a segment length below 2): the frame is
 *       lost, and the search for the next {@code FF D8 FF} resumes just after the lost frame's SOI;</li>
 *   <li>more than {@code maxFrameBytes} bytes: the frame is lost and its remaining bytes are parsed but not kept, so
 *       memory stays bounded by about {@code maxFrameBytes} plus two reads;</li>
 *   <li>the stream ends inside a frame: {@code stream ended inside a frame (N bytes)}.</li>
 * </ul>
 * Frames are named {@code frame 1}, {@code frame 2}, ... in the order their SOI appears, lost ones included. The stream
 * is read in blocks into one array that the parser scans by index. Not thread-safe, except {@link #close()}.
 */
public final class MjpegFrames implements FrameSource {
    private static final int READ_BYTES = 64 << 10;
    private static final byte FF = (byte) 0xFF;
    private static final int SOI = 0xD8, EOI = 0xD9, SOS = 0xDA, RST0 = 0xD0, RST7 = 0xD7, TEM = 0x01;

    private enum State { SEEK_SOI, MARKER, SEGMENT, ENTROPY }

    private final InputStream in;
    private final int maxFrameBytes;
    private final int maxBufferBytes;
    private final ArrayDeque<Item> ready = new ArrayDeque<>();
    /** buf[start, end) are bytes read and kept: the current frame from its SOI (or unsearched bytes); pos parses. */
    private byte[] buf = new byte[READ_BYTES];
    private int start, pos, end;
    private State state = State.SEEK_SOI;
    /** In {@link State#SEGMENT}: payload bytes still to pass, and whether a scan follows them (SOS). */
    private int segmentLeft;
    private boolean scanFollows;
    /** The current frame is over the limit: it has been reported lost, and its bytes are dropped as they are parsed. */
    private boolean oversized;
    private long frameNumber;
    private long skipped;
    private boolean ended;

    /** Frames from {@code in}, each at most {@code maxFrameBytes} long (see {@link FrameSource#MAX_FRAME_BYTES}). */
    public MjpegFrames(InputStream in, int maxFrameBytes) {
        if (maxFrameBytes < 4) throw new IllegalArgumentException("maxFrameBytes must be at least 4, got " + maxFrameBytes);
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
        this.maxBufferBytes = (int) Math.min(Integer.MAX_VALUE - 8, (long) maxFrameBytes + 2L * READ_BYTES + 16);
    }

    @Override public Item next() throws IOException {
        while (ready.isEmpty() && !ended) {
            if (!parse() && read() < 0) endOfStream();
        }
        return ready.poll();
    }

    /** Closes the stream (a thread blocked in {@link #next()} may or may not wake, depending on the stream). */
    @Override public void close() throws IOException {
        in.close();
    }

    /** The size of the read buffer: at most about {@code maxFrameBytes} plus two reads, whatever the stream holds. */
    int bufferBytes() {
        return buf.length;
    }

    /** Parses buf[pos, end) until an item is ready (true) or more bytes are needed (false). */
    private boolean parse() {
        while (ready.isEmpty()) {
            boolean progress = switch (state) {
                case SEEK_SOI -> seekSoi();
                case MARKER -> marker();
                case SEGMENT -> segment();
                case ENTROPY -> entropy();
            };
            if (state != State.SEEK_SOI && pos - start > maxFrameBytes && !oversized) {
                oversized = true;
                lose(tooLarge(maxFrameBytes));
            }
            if (oversized) start = pos;
            if (!progress) return !ready.isEmpty();
        }
        return true;
    }

    /** Finds {@code FF D8 FF}; the bytes before it are skipped. */
    private boolean seekSoi() {
        int limit = end - 2;
        int i = pos;
        while (i < limit && !(buf[i] == FF && buf[i + 1] == (byte) SOI && buf[i + 2] == FF)) i++;
        skipped += i - pos;
        pos = start = i;
        if (i >= limit) return false;
        if (skipped > 0) {
            ready.add(new Skipped(skipped));
            skipped = 0;
        }
        beginFrame();
        return true;
    }

    private void beginFrame() {
        frameNumber++;
        start = pos;
        pos += 2;
        oversized = false;
        state = State.MARKER;
    }

    /** At pos a marker must start: FF, optional fill FFs, the code, and a length for codes that have one. */
    private boolean marker() {
        if (pos >= end) return false;
        if (buf[pos] != FF) return broken(String.format("expected a JPEG marker at byte %d, found 0x%02X", frameBytes(), buf[pos] & 0xFF));
        int c = pos + 1;
        while (c < end && buf[c] == FF) c++;
        pos = c - 1;
        if (c >= end) return false;
        int code = buf[c] & 0xFF;
        if (code == SOI) {
            if (!oversized) lose("cut short after " + frameBytes() + " bytes: the next frame began");
            beginFrame();
        } else if (code == EOI) {
            pos = c + 1;
            if (!oversized && pos - start > maxFrameBytes) lose(tooLarge(maxFrameBytes));
            else if (!oversized) ready.add(new Frame(name(), Arrays.copyOfRange(buf, start, pos), System.nanoTime()));
            start = pos;
            state = State.SEEK_SOI;
        } else if (code >= RST0 && code <= RST7 || code == TEM) {
            pos = c + 1;
        } else if (code == 0) {
            return broken(String.format("expected a JPEG marker at byte %d, found FF 00", frameBytes()));
        } else {
            if (c + 2 >= end) return false;
            int length = (buf[c + 1] & 0xFF) << 8 | buf[c + 2] & 0xFF;
            if (length < 2) return broken(String.format("segment FF %02X at byte %d has length %d", code, frameBytes(), length));
            pos = c + 1;
            segmentLeft = length;
            scanFollows = code == SOS;
            state = State.SEGMENT;
        }
        return true;
    }

    /** Passes over a segment's length and payload without looking at them. */
    private boolean segment() {
        int n = Math.min(segmentLeft, end - pos);
        pos += n;
        segmentLeft -= n;
        if (segmentLeft > 0) return false;
        state = scanFollows ? State.ENTROPY : State.MARKER;
        return true;
    }

    /** Scans entropy-coded data for the first FF that is neither stuffing (FF 00), a restart (FF D0..D7) nor fill. */
    private boolean entropy() {
        int i = pos;
        while (true) {
            while (i < end && buf[i] != FF) i++;
            if (i + 1 >= end) {
                pos = i;
                return false;
            }
            int b = buf[i + 1] & 0xFF;
            if (b == 0 || b >= RST0 && b <= RST7) {
                i += 2;
            } else if (b == 0xFF) {
                i++;
            } else {
                pos = i;
                state = State.MARKER;
                return true;
            }
        }
    }

    /** The frame's structure is broken: it is lost; look for the next SOI just after this frame's SOI. */
    private boolean broken(String reason) {
        if (!oversized) {
            lose(reason);
            pos = start + 2;
        }
        start = pos;
        state = State.SEEK_SOI;
        return true;
    }

    private void lose(String reason) {
        ready.add(new Lost(name(), reason));
    }

    private void endOfStream() {
        if (state == State.SEEK_SOI) {
            skipped += end - pos;
            if (skipped > 0) ready.add(new Skipped(skipped));
        } else if (!oversized) {
            lose("stream ended inside a frame (" + (end - start) + " bytes)");
        }
        start = pos = end;
        ended = true;
    }

    /** Reads more bytes after end, compacting or growing the buffer first; -1 at end of stream. */
    private int read() throws IOException {
        if (buf.length - end < READ_BYTES) {
            System.arraycopy(buf, start, buf, 0, end - start);
            pos -= start;
            end -= start;
            start = 0;
            if (buf.length - end < READ_BYTES / 2 && buf.length < maxBufferBytes) {
                buf = Arrays.copyOf(buf, (int) Math.min(maxBufferBytes, 2L * buf.length));
            }
        }
        int n = in.read(buf, end, buf.length - end);
        if (n > 0) end += n;
        return n;
    }

    /** How many bytes of the current frame come before pos (the offset named in messages). */
    private int frameBytes() {
        return pos - start;
    }

    private String name() {
        return "frame " + frameNumber;
    }

    /** The reason a frame over the limit is lost: {@code larger than 32 MiB, the limit for one frame}. */
    static String tooLarge(int maxFrameBytes) {
        String limit = maxFrameBytes % (1 << 20) == 0 ? (maxFrameBytes >> 20) + " MiB" : maxFrameBytes + " bytes";
        return "larger than " + limit + ", the limit for one frame";
    }
}
