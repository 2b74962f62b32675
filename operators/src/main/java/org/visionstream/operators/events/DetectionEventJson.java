package org.visionstream.operators.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.visionstream.operators.detect.Detection;

/** {@link DetectionEvent} to and from its JSON form, and the check of a JSON event against its schema. Thread-safe. */
public final class DetectionEventJson {

    /** The JSON Schema of the event, on the classpath. */
    public static final String SCHEMA_RESOURCE = "/org/visionstream/operators/events/detection-event.schema.json";

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(module());

    private DetectionEventJson() {}

    /**
     * Writes and reads {@link Detection} in the event's form; for other JSON outputs that list detections
     * (the command line's {@code detect}), so that a detection has one JSON shape.
     */
    public static Module module() {
        return new SimpleModule("visionstream-detection")
                .addSerializer(Detection.class, new DetectionSerializer())
                .addDeserializer(Detection.class, new DetectionDeserializer());
    }

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

    /** A detection as the schema states it: the box as one {@code [x1, y1, x2, y2]} array. */
    private static final class DetectionSerializer extends StdSerializer<Detection> {
        DetectionSerializer() {
            super(Detection.class);
        }

        @Override
        public void serialize(Detection d, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeStringField("label", d.label());
            gen.writeNumberField("classId", d.classId());
            gen.writeNumberField("score", d.score());
            gen.writeArrayFieldStart("box");
            gen.writeNumber(d.x1());
            gen.writeNumber(d.y1());
            gen.writeNumber(d.x2());
            gen.writeNumber(d.y2());
            gen.writeEndArray();
            gen.writeEndObject();
        }
    }

    private static final class DetectionDeserializer extends StdDeserializer<Detection> {
        DetectionDeserializer() {
            super(Detection.class);
        }

        @Override
        public Detection deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String label = null;
            int classId = 0;
            float score = 0;
            float[] box = null;
            for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
                p.nextToken();
                switch (field) {
                    case "label" -> label = p.getValueAsString();
                    case "classId" -> classId = p.getIntValue();
                    case "score" -> score = p.getFloatValue();
                    case "box" -> box = ctx.readValue(p, float[].class);
                    default -> ctx.handleUnknownProperty(p, this, Detection.class, field);
                }
            }
            if (label == null || box == null || box.length != 4) {
                return ctx.reportInputMismatch(Detection.class, "a detection needs a label and a box of 4 numbers");
            }
            return new Detection(label, classId, score, box[0], box[1], box[2], box[3]);
        }
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
