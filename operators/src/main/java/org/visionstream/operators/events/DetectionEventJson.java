package org.visionstream.operators.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
}
