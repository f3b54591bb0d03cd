package slice.train.serve;

import com.google.gson.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the server has recognised lately, all bounded, the oldest dropped first: the last {@value #EVENTS} recognition
 * events (what {@code GET /api/events} replays to a new subscriber, then streams), the frame of each of the last
 * {@value #FRAMES} events (downscaled JPEG, for the page to draw boxes on), the face thumbnails of the last
 * {@value #UNKNOWNS} unknown faces (for review and "this is …"), and the times of the last minute's recognitions
 * (frames per second). Subscribers are at most {@value #SUBSCRIBERS}; one that falls {@value #BACKLOG} events behind is
 * dropped (its stream ends; an {@code EventSource} reconnects). Thread-safe.
 */
final class Events {
    static final int EVENTS = 100, FRAMES = 8, UNKNOWNS = 64, SUBSCRIBERS = 32, BACKLOG = 64;
    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** One event as sent: its id and its JSON. */
    record Event(long id, String json) { }

    /** An unknown face kept for review: its id, the event it came from, when, the closest person and distance, a JPEG. */
    record Unknown(long id, long event, long epochMillis, String nearest, double distance, byte[] jpeg) { }

    /** A subscriber's queue of events not yet sent; {@code null} ends the stream. */
    static final class Subscriber {
        final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(BACKLOG);
        volatile boolean dropped;
    }

    private final ArrayDeque<Event> recent = new ArrayDeque<>();
    private final Map<Long, byte[]> frames = bounded(FRAMES);
    private final Map<Long, Unknown> unknowns = bounded(UNKNOWNS);
    private final ArrayDeque<Long> times = new ArrayDeque<>();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private long lastEvent, lastUnknown;

    private static <V> Map<Long, V> bounded(int size) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
                return size() > size;
            }
        };
    }

    synchronized long nextEventId() {
        return ++lastEvent;
    }

    /** Keeps an unknown face's thumbnail; returns its id. */
    synchronized long keepUnknown(long event, String nearest, double distance, byte[] jpeg) {
        long id = ++lastUnknown;
        unknowns.put(id, new Unknown(id, event, System.currentTimeMillis(), nearest, distance, jpeg));
        return id;
    }

    /** Records event {@code id} with its frame and sends it to every subscriber. */
    void publish(long id, JsonObject json, byte[] frame) {
        Event e = new Event(id, json.toString());
        synchronized (this) {
            recent.addLast(e);
            if (recent.size() > EVENTS) recent.removeFirst();
            frames.put(id, frame);
            long now = System.nanoTime();
            times.addLast(now);
            while (!times.isEmpty() && now - times.peekFirst() > MINUTE_NANOS) times.removeFirst();
        }
        for (Subscriber s : subscribers) {
            if (!s.queue.offer(e)) {
                s.dropped = true;
                subscribers.remove(s);
            }
        }
    }

    /** A new subscriber, or {@code null} when there are {@value #SUBSCRIBERS} already. */
    synchronized Subscriber subscribe() {
        if (subscribers.size() >= SUBSCRIBERS) return null;
        Subscriber s = new Subscriber();
        subscribers.add(s);
        return s;
    }

    void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    /** The recent events with an id above {@code after}, oldest first. */
    synchronized List<Event> since(long after) {
        List<Event> out = new ArrayList<>();
        for (Event e : recent) if (e.id() > after) out.add(e);
        return out;
    }

    synchronized byte[] frame(long event) {
        return frames.get(event);
    }

    synchronized Unknown unknown(long id) {
        return unknowns.get(id);
    }

    /** The unknown faces kept, newest first. */
    synchronized List<Unknown> unknowns() {
        List<Unknown> out = new ArrayList<>(unknowns.values());
        java.util.Collections.reverse(out);
        return out;
    }

    /** Recognitions per second over the last minute (fewer seconds when the server is younger than a minute). */
    synchronized double framesPerSecond(long startedNanos) {
        long now = System.nanoTime();
        for (Iterator<Long> it = times.iterator(); it.hasNext(); ) {
            if (now - it.next() > MINUTE_NANOS) it.remove();
            else break;
        }
        double seconds = Math.min(60.0, Math.max(1.0, (now - startedNanos) / 1e9));
        return times.size() / seconds;
    }
}
