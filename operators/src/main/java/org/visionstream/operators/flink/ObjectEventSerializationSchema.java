package org.visionstream.operators.flink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.ObjectEventJson;

/**
 * Writes an object event as JSON to the objects topic: key = camera id (a camera's events stay in order),
 * record timestamp = the event's capture time (no later than now), header {@code content-type: application/json}.
 */
public final class ObjectEventSerializationSchema implements KafkaRecordSerializationSchema<ObjectEvent> {

    private static final long serialVersionUID = 1L;
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

    private final String topic;

    public ObjectEventSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(ObjectEvent event, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, RecordTimestamps.notAfter(event.timestamp(), System.currentTimeMillis()),
                event.cameraId().getBytes(StandardCharsets.UTF_8), ObjectEventJson.toBytes(event),
                List.of(new RecordHeader("content-type", JSON)));
    }
}
