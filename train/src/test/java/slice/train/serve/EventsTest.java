package slice.train.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the server keeps of recent recognitions stays bounded, the oldest dropped first; a stalled subscriber is let go. */
class EventsTest {
    private static JsonObject event(long id) {
        JsonObject e = new JsonObject();
        e.addProperty("id", id);
        return e;
    }

    @Test
    void eventsFramesAndUnknownsKeepTheNewestOnly() {
        Events events = new Events();
        for (int i = 0; i < 150; i++) {
            long id = events.nextEventId();
            events.publish(id, event(id), new byte[] {(byte) id});
        }
        List<Events.Event> recent = events.since(0);
        assertEquals(Events.EVENTS, recent.size());
        assertEquals(51, recent.get(0).id());
        assertEquals(150, recent.get(recent.size() - 1).id());
        assertEquals(List.of(149L, 150L), events.since(148).stream().map(Events.Event::id).toList());
        assertNull(events.frame(150 - Events.FRAMES));
        assertArrayEquals(new byte[] {(byte) 143}, events.frame(151 - Events.FRAMES));

        for (int i = 1; i <= 70; i++) assertEquals(i, events.keepUnknown(150, "Zoë", 0.7, new byte[] {(byte) i}));
        List<Events.Unknown> unknowns = events.unknowns();
        assertEquals(Events.UNKNOWNS, unknowns.size());
        assertEquals(70, unknowns.get(0).id(), "newest first");
        assertEquals(70 - Events.UNKNOWNS + 1, unknowns.get(unknowns.size() - 1).id());
        assertNull(events.unknown(70 - Events.UNKNOWNS));
        assertTrue(events.framesPerSecond(System.nanoTime()) >= 150, "150 recognitions within the first second");
    }

    @Test
    void aSubscriberThatFallsBehindIsDroppedAndTheSubscribersAreBounded() {
        Events events = new Events();
        Events.Subscriber stalled = events.subscribe();
        for (int i = 1; i <= Events.BACKLOG; i++) events.publish(events.nextEventId(), event(i), new byte[0]);
        assertFalse(stalled.dropped, "a full backlog is still kept");
        events.publish(events.nextEventId(), event(Events.BACKLOG + 1), new byte[0]);
        assertTrue(stalled.dropped);
        for (int i = 0; i < Events.SUBSCRIBERS; i++) assertTrue(events.subscribe() != null, "subscriber " + (i + 1));
        assertNull(events.subscribe(), "no more than " + Events.SUBSCRIBERS);
    }
}
