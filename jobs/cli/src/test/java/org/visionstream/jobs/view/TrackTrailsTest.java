package org.visionstream.jobs.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;

class TrackTrailsTest {

    private final TrackTrails trails = new TrackTrails();
    private long sequence;

    @Test
    void aTrackedBoxAddsItsBottomCentreAnUntrackedOneNothing() {
        add(List.of(box(10, 20, 30, 40, 3), box(100, 100, 120, 140, 1)), Arrays.asList(5L, null));
        add(List.of(box(14, 20, 34, 44, 3)), List.of(5L));
        List<TrackTrails.Trail> all = trails.trails();
        assertEquals(1, all.size());
        TrackTrails.Trail t = all.get(0);
        assertEquals(5, t.trackId());
        assertEquals(3, t.classId());
        assertArrayEquals(new int[] {20, 24}, t.xs());
        assertArrayEquals(new int[] {40, 44}, t.ys());
    }

    @Test
    void aTrailKeepsItsNewestPoints() {
        for (int i = 0; i < TrackTrails.MAX_POINTS + 5; i++) {
            add(List.of(box(i, 0, i + 2, 10, 1)), List.of(1L));
        }
        TrackTrails.Trail t = trails.trails().get(0);
        assertEquals(TrackTrails.MAX_POINTS, t.xs().length);
        assertEquals(5 + 1, t.xs()[0], "the oldest points went first");
        assertEquals(TrackTrails.MAX_POINTS + 4 + 1, t.xs()[t.xs().length - 1]);
    }

    @Test
    void aTrackGoneForLongIsForgotten() {
        add(List.of(box(0, 0, 10, 10, 1)), List.of(1L));
        for (int i = 0; i < TrackTrails.MAX_MISSED_EVENTS; i++) {
            add(List.of(), List.of());
        }
        assertEquals(1, trails.trails().size(), "still within the missed-events window");
        add(List.of(), List.of());
        assertEquals(List.of(), trails.trails());
    }

    private void add(List<Detection> detections, List<Long> ids) {
        DetectionEvent e = new DetectionEvent("cam", sequence++, 0, 0, 0, 0, 0, new DetectionEvent.Model("m", "1"),
                new DetectionEvent.Image(640, 480), new DetectionEvent.Source("frames", 0, sequence), detections);
        trails.add(new TrackedDetectionEvent(e, new ArrayList<>(ids)));
    }

    private static Detection box(float x1, float y1, float x2, float y2, int classId) {
        return new Detection("c" + classId, classId, 0.9f, x1, y1, x2, y2);
    }
}
