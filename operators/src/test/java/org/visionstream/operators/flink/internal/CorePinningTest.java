package org.visionstream.operators.flink.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class CorePinningTest {

    /** What a thread of its own saw: the core it was given and the cores the kernel then let it run on. */
    private record Pin(OptionalInt core, List<Integer> runsOn) {}

    @Test
    void eachPinnedThreadRunsOnACoreOfItsOwnUntilItIsReleased() throws Exception {
        List<Integer> allowed = CorePinning.allowedCores();
        assumeTrue(allowed.size() >= 2, "needs Linux and two cores; this process may use " + allowed);
        List<Pin> pins = new ArrayList<>();
        try {
            for (int i = 0; i < allowed.size(); i++) {
                Pin pin = onNewThread(() -> new Pin(CorePinning.pinCurrentThread(), CorePinning.currentThreadCores()));
                assertTrue(pin.core().isPresent(), "a free core for thread " + i);
                assertEquals(List.of(pin.core().getAsInt()), pin.runsOn(), "the kernel keeps the thread on its core");
                pins.add(pin);
            }
            assertEquals(allowed, pins.stream().map(p -> p.core().getAsInt()).sorted().toList(), "one core each");
            assertEquals(allowed, CorePinning.allowedCores(), "the process itself is not pinned");
            assertFalse(onNewThread(CorePinning::pinCurrentThread).isPresent(), "every core taken: not pinned");
            assertEquals(allowed, onNewThread(CorePinning::currentThreadCores), "an unpinned thread runs anywhere");

            int freed = pins.get(0).core().getAsInt();
            CorePinning.release(freed);
            Pin again = onNewThread(() -> new Pin(CorePinning.pinCurrentThread(), CorePinning.currentThreadCores()));
            assertEquals(OptionalInt.of(freed), again.core(), "a released core is handed out again");
            assertNotEquals(allowed, again.runsOn());
            pins.set(0, again);
        } finally {
            pins.forEach(p -> CorePinning.release(p.core().getAsInt()));
        }
    }

    /** A thread pinned stays pinned, so each call gets a new one, as each detector subtask has its own worker. */
    private static <T> T onNewThread(Callable<T> task) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return thread.submit(task).get();
        } finally {
            thread.shutdown();
        }
    }
}
