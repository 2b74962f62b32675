package org.visionstream.operators.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** {@link DetectionEvent} to and from its JSON form, and the check of a JSON event against its schema. Thread-safe. */
public final class DetectionEventJson {

    /** The JSON Schema of the event, on the classpath. */
    public static final String SCHEMA_RESOURCE = "/org/visionstream/operators/events/detection-event.schema.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DetectionEventJson() {}

    public static byte[] toBytes(DetectionEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write event of camera " + event.cameraId(), e);
        }
    }

    /** Reads an event, also one with track ids (which it leaves out). */
    public static DetectionEvent fromBytes(byte[] json) throws IOException {
        return fromBytesTracked(json).event();
    }

    /** The event with a {@code trackId} in each detection object. */
    public static byte[] toBytes(TrackedDetectionEvent tracked) {
        ObjectNode json = MAPPER.valueToTree(tracked.event());
        JsonNode detections = json.get("detections");
        for (int i = 0; i < tracked.trackIds().size(); i++) {
            Long id = tracked.trackIds().get(i);
            ((ObjectNode) detections.get(i)).put("trackId", id);
        }
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write event of camera " + tracked.event().cameraId(), e);
        }
    }

    /** Reads an event with or without track ids (ids are null where the JSON has none). */
    public static TrackedDetectionEvent fromBytesTracked(byte[] json) throws IOException {
        JsonNode tree = MAPPER.readTree(json);
        List<Long> ids = new ArrayList<>();
        for (JsonNode d : tree.path("detections")) {
            JsonNode id = d instanceof ObjectNode o ? o.remove("trackId") : null;
            ids.add(id == null || id.isNull() ? null : id.longValue());
        }
        return new TrackedDetectionEvent(MAPPER.treeToValue(tree, DetectionEvent.class), ids);
    }

    /** What {@code json} breaks of the event schema; empty when it is a valid event. */
    public static List<String> validate(byte[] json) throws IOException {
        return JsonSchemas.validate(SCHEMA_RESOURCE, MAPPER.readTree(json));
    }
}
