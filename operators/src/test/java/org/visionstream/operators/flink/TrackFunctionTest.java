package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.track.TrackerOptions;

/** The keyed tracking operator: ids per camera, state through a checkpoint, stale frames, silent cameras. */
class TrackFunctionTest {

    private static final TrackFunction FUNCTION =
            new TrackFunction(TrackerOptions.builder().build(), Duration.ofSeconds(5), Duration.ofHours(1));

    private static KeyedOneInputStreamOperatorTestHarness<String, DetectionEvent, TrackedDetectionEvent> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(FUNCTION),
                DetectionEvent::cameraId, Types.STRING);
    }

    /** A car moving 10 px per frame, 100 ms apart; {@code cars} of them, 100 px apart vertically. */
    private static DetectionEvent frame(String camera, long seq, int cars) {
        List<Detection> items = new ArrayList<>();
        for (int c = 0; c < cars; c++) {
            items.add(new Detection("car", 3, 0.9f, 10 * seq, 100 * c, 10 * seq + 60, 100 * c + 40));
        }
        return new DetectionEvent(camera, seq, 1_000_000 + 100 * seq, 0, 0, 0, 0, new DetectionEvent.Model("m", "1"),
                new DetectionEvent.Image(640, 480), new DetectionEvent.Source("frames", 0, seq), items);
    }

    @Test
    void camerasAreTrackedApartAndTheIdsContinueAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        List<Long> idsBefore;
        try (var h = harness()) {
            h.open();
            for (long seq = 1; seq <= 5; seq++) {
                h.processElement(new StreamRecord<>(frame("a", seq, 2)));
                h.processElement(new StreamRecord<>(frame("b", seq, 1)));
            }
            List<TrackedDetectionEvent> out = h.extractOutputValues();
            assertEquals(Arrays.asList(null, null), out.get(2).trackIds(), "camera a, frame 2: tentative");
            idsBefore = out.get(8).trackIds();
            assertEquals(List.of(1L, 2L), idsBefore, "camera a, frame 5");
            assertEquals(List.of(1L), out.get(9).trackIds(), "camera b has ids of its own");
            assertEquals(3, h.getSideOutput(ObjectEvents.TAG).size());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(frame("a", 5, 2))); // replayed: stale
            h.processElement(new StreamRecord<>(frame("a", 6, 2)));
            List<TrackedDetectionEvent> out = h.extractOutputValues();
            assertEquals(Arrays.asList(null, null), out.get(0).trackIds());
            assertEquals(idsBefore, out.get(1).trackIds());
            assertNull(h.getSideOutput(ObjectEvents.TAG), "no track appeared twice");
        }
    }

    @Test
    void aSilentCameraLosesItsTracksAfterTheIdleTimeout() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(System.currentTimeMillis());
            h.open();
            long start = h.getProcessingTime();
            for (long seq = 1; seq <= 4; seq++) {
                h.processElement(new StreamRecord<>(frame("a", seq, 1)));
            }
            h.setProcessingTime(start + 4_000);
            assertEquals(1, h.getSideOutput(ObjectEvents.TAG).size(), "appeared only");
            h.setProcessingTime(start + 7_000);
            List<ObjectEvent> events = new ArrayList<>();
            h.getSideOutput(ObjectEvents.TAG).forEach(r -> events.add(r.getValue()));
            assertEquals(List.of(ObjectEvent.Type.APPEARED, ObjectEvent.Type.DISAPPEARED),
                    events.stream().map(ObjectEvent::type).toList());
            assertEquals(1_000_400L, events.get(1).lastSeen());
            assertEquals(4, events.get(1).sequence());
        }
    }

    /**
     * Skipped frames are not "nothing seen": a tentative track survives them and is confirmed by its third
     * detection, the confirmed track neither ends nor misses, and a camera whose frames are skipped is not silent.
     */
    @Test
    void aSkippedFrameNeitherAgesNorEndsATrack() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(System.currentTimeMillis());
            h.open();
            long start = h.getProcessingTime();
            h.processElement(new StreamRecord<>(frame("a", 1, 1)));
            h.processElement(new StreamRecord<>(frame("a", 2, 1)));
            h.processElement(new StreamRecord<>(skipped("a", 3)));
            h.processElement(new StreamRecord<>(frame("a", 4, 1)));
            h.processElement(new StreamRecord<>(skipped("a", 5)));
            h.processElement(new StreamRecord<>(frame("a", 6, 1)));
            List<TrackedDetectionEvent> out = h.extractOutputValues();
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), out.stream().map(t -> t.event().sequence()).toList());
            assertEquals(List.of(), out.get(2).trackIds());
            assertEquals(DetectionEvent.Skipped.Reason.STALE, out.get(2).event().skipped().reason(), "passed on as it came");
            assertEquals(List.of(1L), out.get(3).trackIds(), "confirmed by its third detection, the skipped frame between");
            assertEquals(List.of(1L), out.get(5).trackIds());
            // Skipped frames keep coming: the camera is not silent, its track stays.
            for (long seq = 7; seq <= 9; seq++) {
                h.setProcessingTime(start + (seq - 6) * 4_000);
                h.processElement(new StreamRecord<>(skipped("a", seq)));
            }
            List<ObjectEvent> events = new ArrayList<>();
            h.getSideOutput(ObjectEvents.TAG).forEach(r -> events.add(r.getValue()));
            assertEquals(List.of(ObjectEvent.Type.APPEARED), events.stream().map(ObjectEvent::type).toList());
            // Then nothing at all for the idle timeout: it disappears as of the last frame it was seen in.
            h.setProcessingTime(start + 12_000 + 6_000);
            events.clear();
            h.getSideOutput(ObjectEvents.TAG).forEach(r -> events.add(r.getValue()));
            assertEquals(List.of(ObjectEvent.Type.APPEARED, ObjectEvent.Type.DISAPPEARED),
                    events.stream().map(ObjectEvent::type).toList());
            assertEquals(6, events.get(1).sequence());
        }
    }

    private static DetectionEvent skipped(String camera, long seq) {
        DetectionEvent f = frame(camera, seq, 0);
        return new DetectionEvent(camera, seq, f.captureTimestamp(), 0, 0, 0, 0, f.model(), f.image(), f.source(), List.of(),
                new DetectionEvent.Skipped(DetectionEvent.Skipped.Reason.STALE, 30_000));
    }
}
