package org.visionstream.operators.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;

/** The event's record timestamp is its capture time, but never later than when it was detected. */
class DetectionEventSerializationSchemaTest {

    private static final long DETECTED = 1_700_000_000_500L;

    private final DetectionEventSerializationSchema schema = new DetectionEventSerializationSchema("detections");

    @Test
    void theRecordTimestampIsTheCaptureTime() {
        assertEquals(1_700_000_000_000L, schema.serialize(event(1_700_000_000_000L), null, null).timestamp());
    }

    @Test
    void aCaptureTimeInTheFutureIsClampedToTheDetectionTimeSoTheBrokerTakesTheEvent() {
        long year3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
        assertEquals(DETECTED, schema.serialize(event(year3000), null, null).timestamp());
        assertEquals(DETECTED, schema.serialize(event(DETECTED + 1), null, null).timestamp());
    }

    private static TrackedDetectionEvent event(long captureTimestamp) {
        return TrackedDetectionEvent.untracked(new DetectionEvent("cam", 1, captureTimestamp, DETECTED - 100, DETECTED, 1.0, 2.0,
                new DetectionEvent.Model("model", "1"), new DetectionEvent.Image(4, 3),
                new DetectionEvent.Source("frames", 0, 7), List.of()));
    }
}
