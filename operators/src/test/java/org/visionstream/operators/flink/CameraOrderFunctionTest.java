package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.events.DetectionEvent;

/** The per-camera reorder buffer in Flink's keyed test harness (no cluster), on processing time it sets. */
class CameraOrderFunctionTest {

    private static final long WAIT = 100;
    private static final int MAX_PENDING = 4;
    private static final long TTL = 10 * WAIT;

    @Test
    void eventsOfEachCameraComeOutInSequenceWhateverOrderTheyArriveIn() throws Exception {
        try (var h = harness()) {
            event(h, "a", 10);
            h.setProcessingTime(WAIT); // the camera's start is unknown until the wait has passed
            assertEquals(List.of("a#10"), out(h));
            event(h, "a", 12);
            event(h, "b", 3);
            event(h, "a", 11);
            event(h, "a", 13);
            assertEquals(List.of("a#10", "a#11", "a#12", "a#13"), out(h));
            h.setProcessingTime(2 * WAIT);
            assertEquals(List.of("a#10", "a#11", "a#12", "a#13", "b#3"), out(h), "one camera never waits for another");
        }
    }

    @Test
    void aCameraWhoseSequenceZeroHasComeStartsWithoutWaiting() throws Exception {
        try (var h = harness()) {
            event(h, "a", 1);
            assertEquals(List.of(), out(h), "a's start is unknown while 0 may still come");
            event(h, "a", 0);
            assertEquals(List.of("a#0", "a#1"), out(h), "nothing comes before 0");
            rejected(h, "b", 0);
            event(h, "b", 1);
            event(h, "c", 5);
            assertEquals(List.of("a#0", "a#1", "b#1"), out(h), "a dead letter at 0 starts its camera as well");
            h.setProcessingTime(WAIT);
            assertEquals(List.of("a#0", "a#1", "b#1", "c#5"), out(h), "c's start was unknown: it waited");
        }
    }

    @Test
    void aDeadLetteredSequenceIsNoGapButAMissingOneIsWaitedForThenSkipped() throws Exception {
        try (var h = harness()) {
            started(h, "a", 0);
            event(h, "a", 2);
            rejected(h, "a", 1);
            assertEquals(List.of("a#0", "a#2"), out(h), "sequence 1 is a dead letter: no wait");
            event(h, "a", 4);
            h.setProcessingTime(h.getProcessingTime() + WAIT - 1);
            assertEquals(List.of("a#0", "a#2"), out(h));
            h.setProcessingTime(h.getProcessingTime() + 1);
            assertEquals(List.of("a#0", "a#2", "a#4"), out(h), "sequence 3 never came: skipped after the wait");
            event(h, "a", 3);
            assertEquals(List.of("a#0", "a#2", "a#4", "a#3"), out(h), "too late to be in order, but never lost");
            event(h, "a", 5);
            assertEquals(List.of("a#0", "a#2", "a#4", "a#3", "a#5"), out(h));
        }
    }

    @Test
    void aGapIsSkippedAtOnceWhenTooManyEventsWaitBehindIt() throws Exception {
        try (var h = harness()) {
            started(h, "a", 0);
            for (long s = 2; s < 2 + MAX_PENDING; s++) {
                event(h, "a", s);
            }
            assertEquals(List.of("a#0", "a#2", "a#3", "a#4", "a#5"), out(h));
        }
    }

    @Test
    void aCameraThatRestartsItsNumberingStartsAgain() throws Exception {
        try (var h = harness()) {
            started(h, "a", 100);
            event(h, "a", 101);
            event(h, "a", 103);
            event(h, "a", 1); // far behind: the camera restarted; 103 waits no longer behind the lost 102
            assertEquals(List.of("a#100", "a#101", "a#103"), out(h));
            event(h, "a", 0);
            h.setProcessingTime(h.getProcessingTime() + WAIT);
            assertEquals(List.of("a#100", "a#101", "a#103", "a#0", "a#1"), out(h));
        }
    }

    @Test
    void waitingEventsAndTheirTimerSurviveACheckpointAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            started(h, "a", 0);
            event(h, "a", 2);
            event(h, "a", 3);
            snapshot = h.snapshot(1, h.getProcessingTime());
        }
        try (var h = harness(snapshot)) {
            assertEquals(List.of(), out(h));
            event(h, "a", 1);
            assertEquals(List.of("a#1", "a#2", "a#3"), out(h), "the restored state knew where camera a was");
        }
        try (var h = harness(snapshot)) {
            h.setProcessingTime(h.getProcessingTime() + 2 * WAIT);
            assertEquals(List.of("a#2", "a#3"), out(h), "the restored timer still bounds the wait");
        }
    }

    @Test
    void aSilentCameraIsForgottenAfterTheTtlAndStartsAfreshWhenItComesBack() throws Exception {
        try (var h = harness()) {
            started(h, "a", 0);
            h.setProcessingTime(h.getProcessingTime() + TTL / 2);
            event(h, "a", 1);
            long lastInput = h.getProcessingTime();
            assertEquals(List.of("a#0", "a#1"), out(h));
            h.setProcessingTime(lastInput + TTL - 1);
            assertTrue(h.numKeyedStateEntries() > 0, "a frame within the TTL keeps the camera");
            assertEquals(1, h.numProcessingTimeTimers(), "one expiry timer, moved on");
            h.setProcessingTime(lastInput + TTL);
            assertEquals(0, h.numKeyedStateEntries(), "forgotten");
            assertEquals(0, h.numProcessingTimeTimers());
            event(h, "a", 2);
            assertEquals(List.of("a#0", "a#1"), out(h), "back after the TTL: a new camera, whose start is waited for");
            h.setProcessingTime(h.getProcessingTime() + WAIT);
            assertEquals(List.of("a#0", "a#1", "a#2"), out(h));
        }
    }

    @Test
    void theStateMustOutliveTheWait() {
        assertThrows(IllegalArgumentException.class,
                () -> new CameraOrderFunction(Duration.ofSeconds(1), MAX_PENDING, Duration.ofSeconds(1)));
    }

    /** Sequence {@code first} of a camera, and the start wait passed: the camera's next is known. */
    private static void started(Harness h, String camera, long first) throws Exception {
        event(h, camera, first);
        h.setProcessingTime(h.getProcessingTime() + WAIT);
        assertEquals(camera + "#" + first, out(h).get(out(h).size() - 1));
    }

    private static void event(Harness h, String camera, long sequence) throws Exception {
        h.processElement1(new DetectionEvent(camera, sequence, 0, 0, 0, 0, 0, new DetectionEvent.Model("m", "1"),
                new DetectionEvent.Image(1, 1), new DetectionEvent.Source("frames", 0, sequence), List.of()), 0);
    }

    private static void rejected(Harness h, String camera, long sequence) throws Exception {
        h.processElement2(new CameraOrderFunction.Rejected(camera, sequence), 0);
    }

    private static List<String> out(Harness h) {
        return h.extractOutputValues().stream().map(e -> e.cameraId() + "#" + e.sequence()).toList();
    }

    private static Harness harness() throws Exception {
        return harness(null);
    }

    private static Harness harness(OperatorSubtaskState restore) throws Exception {
        Harness h = new Harness();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    private static final class Harness
            extends KeyedTwoInputStreamOperatorTestHarness<String, DetectionEvent, CameraOrderFunction.Rejected, DetectionEvent> {
        Harness() throws Exception {
            super(new KeyedCoProcessOperator<>(new CameraOrderFunction(Duration.ofMillis(WAIT), MAX_PENDING, Duration.ofMillis(TTL))),
                    DetectionEvent::cameraId, CameraOrderFunction.Rejected::cameraId, Types.STRING);
        }
    }
}
