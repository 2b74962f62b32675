package org.visionstream.operators.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** {@link ObjectEvent} to and from its JSON form, and the check against its schema. Thread-safe. */
public final class ObjectEventJson {

    public static final String SCHEMA_RESOURCE = "/org/visionstream/operators/events/object-event.schema.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ObjectEventJson() {}

    public static byte[] toBytes(ObjectEvent event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write object event of camera " + event.cameraId(), e);
        }
    }

    public static ObjectEvent fromBytes(byte[] json) throws IOException {
        return MAPPER.readValue(json, ObjectEvent.class);
    }

    /** What {@code json} breaks of the schema; empty when it is a valid object event. */
    public static List<String> validate(byte[] json) throws IOException {
        return JsonSchemas.validate(SCHEMA_RESOURCE, MAPPER.readTree(json));
    }
}
