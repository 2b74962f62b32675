package org.visionstream.operators.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.track.Tracker;
import org.visionstream.operators.track.TrackerOptions;
import org.visionstream.operators.track.TrackerState;
import org.visionstream.operators.track.ZoneOptions;

class EventJsonTest {

    private static DetectionEvent event(int detections) {
        List<Detection> items = new ArrayList<>();
        for (int i = 0; i < detections; i++) {
            items.add(new Detection("car", 3, 0.9f, i, 2, i + 10, 20));
        }
        return new DetectionEvent("cam", 7, 1000, 1001, 1002, 1.5, 20.5, new DetectionEvent.Model("m", "v"),
                new DetectionEvent.Image(480, 270), new DetectionEvent.Source("frames", 0, 7), items);
    }

    @Test
    void trackIdsGoIntoEachDetectionAndOldReadersStillReadTheEvent() throws Exception {
        TrackedDetectionEvent tracked = new TrackedDetectionEvent(event(2), Arrays.asList(5L, null));
        byte[] json = DetectionEventJson.toBytes(tracked);
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"trackId\":5") && text.contains("\"trackId\":null"), text);
        assertEquals(List.of(), DetectionEventJson.validate(json));

        TrackedDetectionEvent back = DetectionEventJson.fromBytesTracked(json);
        assertEquals(tracked.trackIds(), back.trackIds());
        assertArrayEquals(tracked.event().detections().get(1).box(), back.event().detections().get(1).box());
        assertEquals(7, DetectionEventJson.fromBytes(json).sequence(), "a reader of plain events ignores the ids");

        // An event written without tracking is still valid and reads with null ids.
        byte[] plain = DetectionEventJson.toBytes(event(1));
        assertEquals(List.of(), DetectionEventJson.validate(plain));
        assertNull(DetectionEventJson.fromBytesTracked(plain).trackIds().get(0));
        assertFalse(DetectionEventJson.validate(text.replace("\"trackId\":5", "\"trackId\":0")
                .getBytes(StandardCharsets.UTF_8)).isEmpty(), "ids start at 1");
    }

    @Test
    void everyKindOfObjectEventMatchesItsSchemaAndReadsBack() throws Exception {
        ZoneOptions zones = ZoneOptions.of(Map.of("cam", new ZoneOptions.CameraZones(
                List.of(new ZoneOptions.Zone("lot", new float[] {200, 0, 300, 0, 300, 400, 200, 400})),
                List.of(new ZoneOptions.Line("gate", 400, 0, 400, 400)))));
        Tracker tracker = new Tracker(TrackerOptions.builder().zones(zones).updateInterval(Duration.ofSeconds(1)).build());
        TrackerState state = new TrackerState();
        List<ObjectEvent> events = new ArrayList<>();
        for (int f = 0; f < 50; f++) {
            float x = 100 + 10 * f;
            events.addAll(tracker.update(state, "cam", f, 100L * f,
                    List.of(new Detection("car", 3, 0.8f + f % 3 * 0.05f, x - 30, 100, x + 30, 140))).events());
        }
        events.addAll(tracker.expire(state, "cam"));
        Set<ObjectEvent.Type> kinds = EnumSet.noneOf(ObjectEvent.Type.class);
        for (ObjectEvent e : events) {
            byte[] json = ObjectEventJson.toBytes(e);
            assertEquals(List.of(), ObjectEventJson.validate(json), new String(json, StandardCharsets.UTF_8));
            ObjectEvent back = ObjectEventJson.fromBytes(json);
            assertEquals(e.type(), back.type());
            assertEquals(e.trackId(), back.trackId());
            assertArrayEquals(e.box(), back.box());
            kinds.add(e.type());
        }
        assertEquals(EnumSet.allOf(ObjectEvent.Type.class), kinds);
        String left = new String(ObjectEventJson.toBytes(events.stream()
                .filter(e -> e.type() == ObjectEvent.Type.LEFT).findFirst().orElseThrow()), StandardCharsets.UTF_8);
        assertFalse(ObjectEventJson.validate(left.replaceAll(",\"dwellMillis\":\\d+", "")
                .getBytes(StandardCharsets.UTF_8)).isEmpty(), "a left event needs its dwell time: " + left);
    }
}
