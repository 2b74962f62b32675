package org.visionstream.jobs.view;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;

class FrameEventJoinerTest {

    private final List<String> joined = new ArrayList<>();
    private final FrameEventJoiner joiner = new FrameEventJoiner(3, 10,
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
        assertEquals(1, joiner.pending(), "only a#1's late event waits");
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
    void thinsFramesOverTheLimitKeepingEveryOtherOneAndTheNewest() {
        for (int i = 1; i <= 5; i++) {
            joiner.frame("a", i, ("a" + i).getBytes(), 0);
        }
        // 4 frames over 3: 1 and 3 go; then 5 comes
        assertEquals(3, joiner.pending());
        joiner.event(event("a", 3), 0);
        joiner.event(event("a", 4), 0);
        joiner.event(event("a", 5), 0);
        assertEquals(List.of("a#4=a4", "a#5=a5"), joined);
        assertEquals(0, joiner.pending(), "a#3's event went when a#4's frame was matched after it");
    }

    @Test
    void keepsAtMostMaxPendingBytesOfFramesPerCamera() {
        joiner.frame("a", 1, "a1".getBytes(), 0);
        joiner.frame("a", 2, "a2-xxxx".getBytes(), 0);
        joiner.frame("a", 3, "a3-xxxx".getBytes(), 0);
        assertEquals(1, joiner.pending(), "16 bytes over the 10 allowed, then 14: only the newest frame stays");
        joiner.frame("b", 1, "b1-xxxx".getBytes(), 0);
        assertEquals(2, joiner.pending(), "per camera");
        joiner.event(event("a", 3), 0);
        assertEquals(List.of("a#3=a3-xxxx"), joined);
    }

    private static TrackedDetectionEvent event(String camera, long sequence) {
        return new TrackedDetectionEvent(new DetectionEvent(camera, sequence, 0, 0, 0, 0, 0, new DetectionEvent.Model("m", "1"),
                new DetectionEvent.Image(1, 1), new DetectionEvent.Source("frames", 0, sequence), List.of()), List.of());
    }
}
