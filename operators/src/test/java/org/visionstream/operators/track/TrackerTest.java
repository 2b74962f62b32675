package org.visionstream.operators.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.ObjectEvent.Type;
import org.visionstream.operators.track.Scene.Actor;

class TrackerTest {

    private static final Tracker TRACKER = new Tracker(TrackerOptions.builder().build());

    @Test
    void objectsOnSeparatePathsKeepTheirIdsWithZeroSwitches() {
        Scene scene = new Scene();
        for (int i = 0; i < 6; i++) {
            // Lanes 45 px apart, boxes 40 px tall: neighbours never overlap; speeds 30 to 180 px/s.
            scene.add(new Actor(i % 2 == 0 ? "car" : "person", 50 + 20 * i, 30 + 45 * i, 60, 40, 30 * (i + 1), 0));
        }
        scene.run(TRACKER, new TrackerState(), 50, 10, 1, (a, f, b) -> true);

        assertEquals(0, scene.idSwitches());
        List<Long> ids = new ArrayList<>();
        for (int a = 0; a < 6; a++) {
            assertEquals(1, scene.distinctIds(a).size(), "actor " + a + ": " + scene.distinctIds(a));
            ids.add(scene.distinctIds(a).get(0));
            // Null in the first minHits - 1 frames (tentative), the id ever after.
            assertNull(scene.ids.get(a).get(1));
            assertTrue(scene.ids.get(a).subList(2, 50).stream().allMatch(ids.get(a)::equals));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), ids);
        assertEquals(Map.of(Type.APPEARED, 6), scene.counts());
    }

    @Test
    void twoObjectsCrossingPathsKeepTheirIds() {
        Scene scene = new Scene()
                .add(new Actor("person", 40, 100, 30, 80, 60, 0))
                .add(new Actor("person", 440, 104, 30, 80, -60, 0));
        scene.run(TRACKER, new TrackerState(), 70, 10, 1, (a, f, b) -> true);

        assertEquals(0, scene.idSwitches());
        assertEquals(1, scene.distinctIds(0).size());
        assertEquals(1, scene.distinctIds(1).size());
        assertNotEquals(scene.distinctIds(0), scene.distinctIds(1));
    }

    @Test
    void anObjectHiddenBehindAnotherWhileTheyCrossKeepsItsId() {
        Scene scene = new Scene()
                .add(new Actor("person", 40, 100, 30, 80, 60, 0))
                .add(new Actor("person", 440, 104, 30, 80, -60, 0));
        int[] hidden = {0};
        // The detector sees only the front object (actor 0) while the two overlap: actor 1 is predicted across.
        scene.run(TRACKER, new TrackerState(), 70, 10, 1, (a, f, b) -> {
            boolean behind = a == 1 && Scene.iou(b[0], b[1]) > 0;
            hidden[0] += behind ? 1 : 0;
            return !behind;
        });

        assertTrue(hidden[0] >= 5, "hidden in " + hidden[0] + " frames");
        assertEquals(0, scene.idSwitches());
        assertNotEquals(scene.distinctIds(0), scene.distinctIds(1));
        assertEquals(Map.of(Type.APPEARED, 2), scene.counts());
    }

    @Test
    void anObjectOccludedForLessThanMaxAgeKeepsItsIdAndOneLongerGetsANewOne() {
        // maxAge 2 s at 10 fps: hidden 1.5 s (frames 20..34) keeps the id...
        Scene shortGap = new Scene().add(new Actor("car", 50, 100, 60, 40, 40, 0));
        shortGap.run(TRACKER, new TrackerState(), 60, 10, 1, (a, f, b) -> f < 20 || f >= 35);
        assertEquals(List.of(1L), shortGap.distinctIds(0));
        assertEquals(Map.of(Type.APPEARED, 1), shortGap.counts());

        // ...hidden 2.5 s (frames 20..44) ends the track; the object comes back as a new one.
        Scene longGap = new Scene().add(new Actor("car", 50, 100, 60, 40, 40, 0));
        longGap.run(TRACKER, new TrackerState(), 60, 10, 1, (a, f, b) -> f < 20 || f >= 45);
        assertEquals(List.of(1L, 2L), longGap.distinctIds(0));
        assertEquals(1, longGap.idSwitches(), "counted as a switch: the object lost its identity");
        List<Type> types = longGap.events.stream().map(ObjectEvent::type).toList();
        assertEquals(List.of(Type.APPEARED, Type.DISAPPEARED, Type.APPEARED), types);
        ObjectEvent gone = longGap.events.get(1);
        // Last seen at frame 19 (t = 1.9 s); gone at the first frame more than 2 s later: frame 40.
        assertEquals(1_001_900L, gone.lastSeen());
        assertEquals(41, gone.sequence());
        assertEquals(1_000_000L, gone.firstSeen());
        assertEquals(1900L, gone.durationMillis());
    }

    @Test
    void birthAfterMinHitsAndDeathByCaptureTimeAcrossASequenceGap() {
        Tracker tracker = new Tracker(TrackerOptions.builder().minHits(4).maxAge(Duration.ofMillis(1500)).build());
        TrackerState state = new TrackerState();
        List<Detection> car = List.of(new Detection("car", 3, 0.9f, 100, 100, 160, 140));
        for (int seq = 1; seq <= 3; seq++) {
            TrackerResult r = tracker.update(state, "cam", seq, 1000L * seq, car);
            assertNull(r.trackIds().get(0), "tentative at hit " + seq);
            assertEquals(List.of(), r.events());
        }
        TrackerResult fourth = tracker.update(state, "cam", 4, 4000, car);
        assertEquals(1L, fourth.trackIds().get(0));
        assertEquals(Type.APPEARED, fourth.events().get(0).type());
        assertEquals(1000L, fourth.events().get(0).firstSeen());

        // One frame later by sequence (5 -> 100: frames lost upstream), but 1.6 s later: the track has expired.
        TrackerResult late = tracker.update(state, "cam", 100, 5600, List.of());
        assertEquals(List.of(Type.DISAPPEARED), late.events().stream().map(ObjectEvent::type).toList());
        assertEquals(0, state.liveTracks());
        // 1.5 s exactly is still alive.
        TrackerState s2 = new TrackerState();
        for (int seq = 1; seq <= 4; seq++) {
            tracker.update(s2, "cam", seq, 1000L * seq, car);
        }
        assertEquals(List.of(), tracker.update(s2, "cam", 5, 5500, List.of()).events());
        assertEquals(1, s2.liveTracks());
    }

    @Test
    void aDetectionSeenOnceNeverGetsAnIdOrEvent() {
        TrackerState state = new TrackerState();
        TrackerResult r1 = TRACKER.update(state, "cam", 1, 0, List.of(new Detection("dog", 18, 0.95f, 0, 0, 50, 50)));
        TrackerResult r2 = TRACKER.update(state, "cam", 2, 100, List.of());
        assertNull(r1.trackIds().get(0));
        assertEquals(List.of(), r1.events());
        assertEquals(List.of(), r2.events());
        assertEquals(0, state.liveTracks(), "a tentative track missed once is dropped");
    }

    @Test
    void duplicateAndOlderFramesAreStaleAndChangeNothing() {
        TrackerState state = new TrackerState();
        List<Detection> car = List.of(new Detection("car", 3, 0.9f, 100, 100, 160, 140));
        for (int seq = 10; seq < 15; seq++) {
            TRACKER.update(state, "cam", seq, 100L * seq, car);
        }
        byte[] before = state.toBytes();
        for (long seq : new long[] {14, 12, 1}) {
            TrackerResult r = TRACKER.update(state, "cam", seq, 100L * seq, car);
            assertTrue(r.stale());
            assertEquals(java.util.Collections.singletonList(null), r.trackIds());
            assertEquals(List.of(), r.events());
        }
        assertArrayEquals(before, state.toBytes());
        assertEquals(1L, TRACKER.update(state, "cam", 15, 1500, car).trackIds().get(0));
    }

    @Test
    void aNewerFrameStampedEarlierDoesNotTurnTimeBack() {
        TrackerState state = new TrackerState();
        List<Detection> car = List.of(new Detection("car", 3, 0.9f, 100, 100, 160, 140));
        for (int seq = 1; seq <= 3; seq++) {
            TRACKER.update(state, "cam", seq, 10_000L + 100 * seq, car);
        }
        assertEquals(1L, TRACKER.update(state, "cam", 4, 5_000, car).trackIds().get(0));
        ObjectEvent gone = TRACKER.update(state, "cam", 5, 16_000, List.of()).events().get(0);
        assertEquals(Type.DISAPPEARED, gone.type());
        assertEquals(10_300L, gone.lastSeen(), "seen at 5000, taken as the last frame's 10300");
        assertEquals(16_000L, gone.timestamp());
    }

    @Test
    void theClassIsTheMajorityOverTheTracksLife() {
        TrackerState state = new TrackerState();
        List<ObjectEvent> events = new ArrayList<>();
        for (int seq = 1; seq <= 10; seq++) {
            // bicycle 7 times, motorcycle 3 times (the first three): a flip on the same box keeps the track.
            String label = seq <= 3 ? "motorcycle" : "bicycle";
            events.addAll(TRACKER.update(state, "cam", seq, 100L * seq,
                    List.of(new Detection(label, 2, 0.9f, 100 + seq, 100, 140 + seq, 160))).events());
        }
        events.addAll(TRACKER.expire(state, "cam"));
        assertEquals("motorcycle", events.get(0).label(), "appeared after three motorcycle sightings");
        ObjectEvent gone = events.get(events.size() - 1);
        assertEquals(Type.DISAPPEARED, gone.type());
        assertEquals("bicycle", gone.label());
        assertEquals(1, gone.trackId());
    }

    @Test
    void zonesAndLinesGiveEnteredLeftAndCrossedEvents() {
        // Zone: x 200..300 over the whole height; line at x = 400 from top to bottom (forward: moving left).
        ZoneOptions zones = ZoneOptions.of(Map.of("cam", new ZoneOptions.CameraZones(
                List.of(new ZoneOptions.Zone("lot", new float[] {200, 0, 300, 0, 300, 400, 200, 400})),
                List.of(new ZoneOptions.Line("gate", 400, 0, 400, 400)))));
        Tracker tracker = new Tracker(TrackerOptions.builder().zones(zones).updateInterval(Duration.ZERO).build());
        Scene scene = new Scene().add(new Actor("car", 100, 100, 60, 40, 100, 0)); // 100 px/s to the right
        scene.jitter = 0;
        scene.run(tracker, new TrackerState(), 50, 10, 1, (a, f, b) -> true);

        List<String> seen = scene.events.stream().map(e -> e.type() + (e.zone() != null ? " " + e.zone() : "")
                + (e.line() != null ? " " + e.line() + " " + e.direction() : "")).toList();
        assertEquals(List.of("APPEARED", "ENTERED lot", "UPDATED", "LEFT lot", "UPDATED", "CROSSED gate backward"), seen);
        ObjectEvent left = scene.events.get(3);
        // The foot point (centre x) is in the zone from x = 200 (t = 1.0 s) until x = 300 (t = 2.0 s).
        assertEquals(1000L, left.dwellMillis(), 100);
        assertEquals(List.of("lot"), scene.events.get(2).zones());

        Scene back = new Scene().add(new Actor("car", 500, 100, 60, 40, -100, 0));
        back.jitter = 0;
        back.run(tracker, new TrackerState(), 20, 10, 1, (a, f, b) -> true);
        assertEquals("forward", back.events.stream().filter(e -> e.type() == Type.CROSSED).findFirst().orElseThrow().direction());
    }

    @Test
    void stateSurvivesItsBytesAndContinuesExactlyAsInMemory() {
        // Each object missed in one frame of seven, at different frames: lost and found again.
        Scene.Visibility head = (a, f, b) -> f % 7 != a % 7;
        Scene.Visibility tail = (a, f, b) -> (f + 20) % 7 != a % 7;
        TrackerState inMemory = new TrackerState();
        Scene first = crowd(0);
        first.run(TRACKER, inMemory, 20, 10, 1, head);
        assertEquals(20, inMemory.liveTracks());
        byte[] bytes = inMemory.toBytes();
        assertTrue(bytes.length < 10_000, "state of 20 live tracks: " + bytes.length + " bytes");
        TrackerState restored = TrackerState.fromBytes(bytes);
        assertArrayEquals(bytes, restored.toBytes());

        Scene continued = crowd(2);
        Scene afterRestore = crowd(2);
        continued.run(TRACKER, inMemory, 20, 10, 21, tail);
        afterRestore.run(TRACKER, restored, 20, 10, 21, tail);
        assertEquals(continued.ids, afterRestore.ids);
        assertEquals(continued.events.toString().replaceAll("\\[F@\\w+", ""),
                afterRestore.events.toString().replaceAll("\\[F@\\w+", ""));
        assertEquals(0, first.idSwitches() + continued.idSwitches());
        assertEquals(List.of(), continued.events, "no track lost across the restore");
    }

    /** 20 objects in a 5 x 4 grid, 90 px apart, drifting slowly, as of {@code seconds}: 20 live tracks. */
    private static Scene crowd(double seconds) {
        Scene s = new Scene();
        for (int i = 0; i < 20; i++) {
            float vx = 5 + i;
            float vy = 3 - i % 4;
            s.add(new Actor("person", (float) (40 + 90 * (i % 5) + vx * seconds), (float) (50 + 90 * (i / 5) + vy * seconds),
                    40, 70, vx, vy));
        }
        return s;
    }
}
