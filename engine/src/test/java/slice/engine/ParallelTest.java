package slice.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The thread team's contract: every index exactly once, chunks as documented, every thread taking chunks, nesting,
 * failures, concurrent callers.
 */
@ExtendWith(RestoresThreads.class)
class ParallelTest {
    /** Counts how often each index of [0, n) is visited and by which threads. */
    private static AtomicIntegerArray visit(int n, int minChunk, Set<String> threadNames) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        Parallel.forRange(n, minChunk, (from, to) -> {
            threadNames.add(Thread.currentThread().getName());
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        return seen;
    }

    @Test
    void everyIndexRunsExactlyOnceForAnyThreadCountAndChunkSize() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 2, 3, 7, 64, 1001}) {
                for (int minChunk : new int[] {1, 3, 100}) {
                    for (int repeat = 0; repeat < 20; repeat++) { // back-to-back loops: workers still spinning
                        AtomicIntegerArray seen = visit(n, minChunk, ConcurrentHashMap.newKeySet());
                        for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " of " + n + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    /** The chunks {@code [from, to)} a loop over {@code [0, n)} ran, in the order they started. */
    private static List<List<Integer>> chunks(int n, int minChunk) {
        List<List<Integer>> chunks = new CopyOnWriteArrayList<>();
        Parallel.forRange(n, minChunk, (from, to) -> chunks.add(List.of(from, to)));
        return chunks;
    }

    /**
     * The threads that ran a loop of {@code chunks} chunks whose every chunk waits until all have started: a thread
     * inside a chunk takes no other, so each chunk runs on a thread of its own.
     */
    private static Set<String> threadsOfChunksThatWaitForEachOther(int chunks) {
        Set<String> names = ConcurrentHashMap.newKeySet();
        CountDownLatch started = new CountDownLatch(chunks);
        Parallel.forRange(chunks, (from, to) -> {
            names.add(Thread.currentThread().getName());
            started.countDown();
            try {
                assertTrue(started.await(10, TimeUnit.SECONDS), "every chunk started");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        return names;
    }

    @Test
    void splitsIntoAtMostThreadsChunksOfAtLeastMinChunk() {
        Parallel.setThreads(3);
        assertEquals(Set.of(List.of(0, 1000), List.of(1000, 2000), List.of(2000, 3000)), Set.copyOf(chunks(3000, 1)),
                "three threads, three chunks");
        assertEquals(Set.of(List.of(0, 1500), List.of(1500, 3000)), Set.copyOf(chunks(3000, 1500)), "3000 / 1500 = two chunks");
        assertEquals(List.of(List.of(0, 3000)), chunks(3000, 5000), "one chunk");
        Set<String> names = ConcurrentHashMap.newKeySet();
        visit(3000, 5000, names);
        assertEquals(Set.of(Thread.currentThread().getName()), names, "one chunk runs on the caller");
    }

    @Test
    void everyThreadOfTheTeamTakesChunks() {
        Parallel.setThreads(3);
        for (int round = 0; round < 20; round++) assertEquals(3, threadsOfChunksThatWaitForEachOther(3).size());
    }

    @Test
    void workersThatParkedAreWokenForTheNextLoop() throws InterruptedException {
        Parallel.setThreads(2);
        for (int round = 0; round < 3; round++) {
            Thread.sleep(5 * Parallel.SPIN_NANOS / 1_000_000 + 5); // long enough for the worker to park
            assertEquals(2, threadsOfChunksThatWaitForEachOther(2).size());
            AtomicIntegerArray seen = visit(100, 1, ConcurrentHashMap.newKeySet());
            for (int i = 0; i < 100; i++) assertEquals(1, seen.get(i));
        }
    }

    @Test
    void nestedLoopsRunInlineOnTheThreadThatCallsThem() {
        Parallel.setThreads(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(40 * 30);
        Parallel.forRange(40, (from, to) -> {
            String outer = Thread.currentThread().getName();
            for (int i = from; i < to; i++) {
                int row = i;
                Parallel.forRange(30, (a, b) -> {
                    assertEquals(outer, Thread.currentThread().getName(), "a nested loop stays on its thread");
                    for (int j = a; j < b; j++) seen.incrementAndGet(row * 30 + j);
                });
            }
        });
        for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i));
    }

    @Test
    void aFailureInAnyChunkIsRethrownToTheCallerAndTheTeamKeepsWorking() {
        Parallel.setThreads(2);
        for (int failing : new int[] {0, 99}) { // first chunk and last chunk
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, (from, to) -> {
                if (from <= failing && failing < to) throw boom;
            }));
            assertSame(boom, thrown);
            AtomicIntegerArray seen = visit(100, 1, ConcurrentHashMap.newKeySet());
            for (int i = 0; i < 100; i++) assertEquals(1, seen.get(i));
        }
    }

    @Test
    void concurrentCallersBothGetEveryIndex() throws InterruptedException {
        Parallel.setThreads(2);
        AtomicIntegerArray a = new AtomicIntegerArray(5000), b = new AtomicIntegerArray(5000);
        Thread other = new Thread(() -> {
            for (int r = 0; r < 200; r++) Parallel.forRange(5000, (from, to) -> { for (int i = from; i < to; i++) a.incrementAndGet(i); });
        });
        other.start();
        for (int r = 0; r < 200; r++) Parallel.forRange(5000, (from, to) -> { for (int i = from; i < to; i++) b.incrementAndGet(i); });
        other.join();
        for (int i = 0; i < 5000; i++) {
            assertEquals(200, a.get(i));
            assertEquals(200, b.get(i));
        }
    }
}
