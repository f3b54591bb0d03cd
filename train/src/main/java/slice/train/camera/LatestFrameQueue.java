package slice.train.camera;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The hand-off between a thread that reads frames and a thread that processes them, holding at most {@code capacity}
 * items: when it is full, {@link #put} drops the oldest, so the processor always gets the newest frames, however far
 * behind it is, and memory stays bounded. With capacity 1 the processor sees the latest frame only.
 *
 * <p>{@link #put} returns what will never be taken (the dropped oldest item, or the item itself once closed), so the
 * caller counts drops. {@link #close()} ends the hand-off gracefully ({@link #take()} returns what is left, then
 * {@code null}); {@link #discardAndClose()} ends it at once. Thread-safe.
 */
public final class LatestFrameQueue<T> {
    private final int capacity;
    private final ArrayDeque<T> items;
    private boolean closed;

    public LatestFrameQueue(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
        this.items = new ArrayDeque<>(capacity);
    }

    /** Adds {@code item}; returns the item dropped to make room (the oldest), {@code item} itself if closed, else null. */
    public synchronized T put(T item) {
        if (closed) return item;
        T dropped = items.size() == capacity ? items.poll() : null;
        items.add(item);
        notifyAll();
        return dropped;
    }

    /** The oldest item, waiting for one; {@code null} once closed and empty. */
    public synchronized T take() throws InterruptedException {
        while (items.isEmpty() && !closed) wait();
        return items.poll();
    }

    /** No more items will be put; those held are still taken. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Closes and returns the items held, which will not be taken. */
    public synchronized List<T> discardAndClose() {
        List<T> discarded = new ArrayList<>(items);
        items.clear();
        close();
        return discarded;
    }
}
