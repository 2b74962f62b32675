package org.visionstream.operators.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;

/** The event's JSON form is a wire format: consumers parse exactly these fields, in this form. */
class DetectionEventJsonTest {

    private static final DetectionEvent EVENT = new DetectionEvent("demo-camera", 8, 1764139406113L, 1764139406950L,
            1764139406980L, 1.2, 25.4, new DetectionEvent.Model("d2go-fbnetv3a-c4-coco", "a83b0798d5c4"),
            new DetectionEvent.Image(480, 270), new DetectionEvent.Source("frames", 0, 8),
            List.of(new Detection("bus", 6, 0.58f, 93.1f, 59.4f, 165.2f, 170.0f),
                    new Detection("person", 1, 1f / 3, -0.5f, 0f, 1e-7f, 3.4e38f)));

    /** What the event writer wrote before events shared the detector's Detection type, byte for byte. */
    private static final String JSON = "{\"cameraId\":\"demo-camera\",\"sequence\":8,\"captureTimestamp\":1764139406113,"
            + "\"ingestTimestamp\":1764139406950,\"detectTimestamp\":1764139406980,\"decodeMillis\":1.2,"
            + "\"detectMillis\":25.4,\"model\":{\"name\":\"d2go-fbnetv3a-c4-coco\",\"version\":\"a83b0798d5c4\"},"
            + "\"image\":{\"width\":480,\"height\":270},\"source\":{\"topic\":\"frames\",\"partition\":0,\"offset\":8},"
            + "\"detections\":[{\"label\":\"bus\",\"classId\":6,\"score\":0.58,\"box\":[93.1,59.4,165.2,170.0]},"
            + "{\"label\":\"person\",\"classId\":1,\"score\":0.33333334,\"box\":[-0.5,0.0,1.0E-7,3.4E38]}]}";

    @Test
    void writesTheDocumentedFieldsInTheirOrder() throws IOException {
        byte[] bytes = DetectionEventJson.toBytes(EVENT);
        assertEquals(JSON, new String(bytes, StandardCharsets.UTF_8));
        assertEquals(List.of(), DetectionEventJson.validate(bytes));
    }

    @Test
    void readsBackTheSameEvent() throws IOException {
        assertEquals(EVENT, DetectionEventJson.fromBytes(JSON.getBytes(StandardCharsets.UTF_8)));
    }

    /** A frame skipped as stale: the analysed event's fields, no detections, and the one additive field. */
    private static final DetectionEvent SKIPPED = new DetectionEvent("demo-camera", 9, 1764139406313L, 1764139418650L,
            1764139418650L, 0, 0, new DetectionEvent.Model("d2go-fbnetv3a-c4-coco", "a83b0798d5c4"),
            new DetectionEvent.Image(480, 270), new DetectionEvent.Source("frames", 0, 9), List.of(),
            new DetectionEvent.Skipped(DetectionEvent.Skipped.Reason.STALE, 12337));

    private static final String SKIPPED_JSON = "{\"cameraId\":\"demo-camera\",\"sequence\":9,\"captureTimestamp\":1764139406313,"
            + "\"ingestTimestamp\":1764139418650,\"detectTimestamp\":1764139418650,\"decodeMillis\":0.0,"
            + "\"detectMillis\":0.0,\"model\":{\"name\":\"d2go-fbnetv3a-c4-coco\",\"version\":\"a83b0798d5c4\"},"
            + "\"image\":{\"width\":480,\"height\":270},\"source\":{\"topic\":\"frames\",\"partition\":0,\"offset\":9},"
            + "\"detections\":[],\"skipped\":{\"reason\":\"stale\",\"ageMillis\":12337}}";

    @Test
    void aSkippedFrameSaysSoAndWhyAndReadsBack() throws IOException {
        byte[] bytes = DetectionEventJson.toBytes(TrackedDetectionEvent.untracked(SKIPPED));
        assertEquals(SKIPPED_JSON, new String(bytes, StandardCharsets.UTF_8));
        assertEquals(List.of(), DetectionEventJson.validate(bytes));
        DetectionEvent back = DetectionEventJson.fromBytes(bytes);
        assertEquals(SKIPPED, back);
        assertFalse(back.analysed());
        assertEquals("skipped (stale 12.3 s)", back.skipped().describe());
        assertTrue(EVENT.analysed());
        assertFalse(new String(DetectionEventJson.toBytes(EVENT), StandardCharsets.UTF_8).contains("skipped"));
    }

    /** A consumer that does not know the field still reads a complete event: the rest is the analysed shape. */
    @Test
    void withoutTheSkippedFieldASkippedEventIsAValidPlainEvent() throws IOException {
        ObjectMapper plain = new ObjectMapper();
        ObjectNode tree = (ObjectNode) plain.readTree(SKIPPED_JSON);
        tree.remove("skipped");
        assertEquals(List.of(), DetectionEventJson.validate(plain.writeValueAsBytes(tree)));
    }

    @Test
    void aSkippedEventWithDetectionsIsRefused() throws IOException {
        String withDetection = SKIPPED_JSON.replace("\"detections\":[]",
                "\"detections\":[{\"label\":\"bus\",\"classId\":6,\"score\":0.58,\"box\":[93.1,59.4,165.2,170.0]}]");
        assertFalse(DetectionEventJson.validate(withDetection.getBytes(StandardCharsets.UTF_8)).isEmpty());
        assertFalse(DetectionEventJson.validate(SKIPPED_JSON.replace("stale", "bored").getBytes(StandardCharsets.UTF_8)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new DetectionEvent("c", 1, 0, 0, 0, 0, 0, SKIPPED.model(),
                SKIPPED.image(), SKIPPED.source(), EVENT.detections(), SKIPPED.skipped()));
    }
}
