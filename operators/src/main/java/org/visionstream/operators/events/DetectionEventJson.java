package org.visionstream.operators.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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

    public static DetectionEvent fromBytes(byte[] json) throws IOException {
        return MAPPER.readValue(json, DetectionEvent.class);
    }

    /** What {@code json} breaks of the event schema; empty when it is a valid event. */
    public static List<String> validate(byte[] json) throws IOException {
        return Schema.INSTANCE.validate(MAPPER.readTree(json)).stream().map(ValidationMessage::getMessage).toList();
    }

    /** Loaded on first use only: producing events needs no schema. */
    private static final class Schema {
        static final JsonSchema INSTANCE = load();

        private static JsonSchema load() {
            try (InputStream in = DetectionEventJson.class.getResourceAsStream(SCHEMA_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the classpath");
                }
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
