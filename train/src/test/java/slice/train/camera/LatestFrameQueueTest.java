package slice.train.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatestFrameQueueTest {

    @Test
    void aSingleSlotKeepsTheNewestAndReturnsWhatItDrops() throws Exception {
        LatestFrameQueue<Integer> queue = new LatestFrameQueue<>(1);
        assertEquals(List.of(1, 2, 3, 4), putOneToFive(queue));
        assertEquals(5, queue.take());
    }

    @Test
    void aLargerQueueDropsTheOldestFirst() throws Exception {
        LatestFrameQueue<Integer> queue = new LatestFrameQueue<>(3);
        assertEquals(List.of(1, 2), putOneToFive(queue));
        queue.close();
        assertEquals(List.of(3, 4, 5), List.of(queue.take(), queue.take(), queue.take()));
        assertNull(queue.take(), "closed and empty");
    }

    @Test
    void afterCloseAPutIsRefusedAndDiscardingEmptiesTheQueue() throws Exception {
        LatestFrameQueue<String> queue = new LatestFrameQueue<>(2);
        queue.put("a");
        queue.put("b");
        assertEquals(List.of("a", "b"), queue.discardAndClose());
        assertEquals("c", queue.put("c"), "refused: returned to the caller, who counts it dropped");
        assertNull(queue.take());
    }

    @Test
    void takeWaitsForAPutAndWakesOnClose() throws Exception {
        LatestFrameQueue<String> queue = new LatestFrameQueue<>(1);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> take(queue));
        queue.put("x");
        assertEquals("x", first.get(5, TimeUnit.SECONDS));
        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> take(queue));
        queue.close();
        assertNull(second.get(5, TimeUnit.SECONDS));
    }

    /** Puts 1, 2, 3, 4, 5 in turn and returns the frames the queue dropped to make room, oldest first. */
    private static List<Integer> putOneToFive(LatestFrameQueue<Integer> queue) {
        List<Integer> dropped = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Integer d = queue.put(i);
            if (d != null) dropped.add(d);
        }
        return dropped;
    }

    private static String take(LatestFrameQueue<String> queue) {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
