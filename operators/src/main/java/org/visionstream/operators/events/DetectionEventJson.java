package org.visionstream.operators.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** {@link DetectionEvent} to and from its JSON form. Thread-safe. */
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

    public static DetectionEvent fromBytes(byte[] json) throws IOException {
        return MAPPER.readValue(json, DetectionEvent.class);
    }
}
