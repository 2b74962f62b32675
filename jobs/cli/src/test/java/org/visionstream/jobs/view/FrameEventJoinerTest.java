package org.visionstream.jobs.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.events.DetectionEvent;

class FrameEventJoinerTest {

    private final List<String> joined = new ArrayList<>();
    private final FrameEventJoiner joiner = new FrameEventJoiner(3,
            f -> joined.add(f.event().cameraId() + "#" + f.event().sequence() + "=" + new String(f.image())));

    @Test
    void matchesByCameraAndSequenceWhicheverArrivesFirst() {
        joiner.frame("a", 1, "a1".getBytes(), 0);
        joiner.frame("b", 1, "b1".getBytes(), 0);
        joiner.event(event("b", 1), 0);
        joiner.event(event("a", 2), 0);
        joiner.frame("a", 2, "a2".getBytes(), 0);
        joiner.event(event("a", 1), 0);
        assertEquals(List.of("b#1=b1", "a#2=a2"), joined);
        // a#1's frame was dropped when a#2's event came: in sequence order, its event can no longer come
        assertEquals(0, joiner.pending() - 1, "only a#1's late event waits");
    }

    @Test
    void aDeadLetteredFrameIsDroppedOnceALaterEventArrives() {
        joiner.frame("a", 1, "a1".getBytes(), 0);
        joiner.frame("a", 2, "a2".getBytes(), 0);
        joiner.event(event("a", 2), 0);
        assertEquals(List.of("a#2=a2"), joined);
        assertEquals(0, joiner.pending());
    }

    @Test
    void keepsAtMostMaxPendingPerCameraAndSide() {
        for (int i = 1; i <= 5; i++) {
            joiner.frame("a", i, ("a" + i).getBytes(), 0);
        }
        assertEquals(3, joiner.pending());
        joiner.event(event("a", 1), 0);
        joiner.event(event("a", 3), 0);
        assertEquals(List.of("a#3=a3"), joined);
    }

    private static DetectionEvent event(String camera, long sequence) {
        return new DetectionEvent(camera, sequence, 0, 0, 0, 0, 0, new DetectionEvent.Model("m", "1"),
                new DetectionEvent.Image(1, 1), new DetectionEvent.Source("frames", 0, sequence), List.of());
    }
}
