package org.visionstream.operators.flink;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.events.TrackedDetectionEvent;

/**
 * Writes an event, with its track ids, as JSON to the events topic: key = camera id (per-camera order), record timestamp =
 * capture time (no later than the detection time), header {@code content-type: application/json}.
 */
public final class DetectionEventSerializationSchema implements KafkaRecordSerializationSchema<TrackedDetectionEvent> {

    private static final long serialVersionUID = 1L;
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.UTF_8);

    private final String topic;

    public DetectionEventSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(TrackedDetectionEvent tracked, KafkaSinkContext context, Long timestamp) {
        DetectionEvent event = tracked.event();
        // A camera clock in the future must not make the broker refuse the event (and restart the job).
        Long recordTimestamp = RecordTimestamps.notAfter(event.captureTimestamp(), event.detectTimestamp());
        return new ProducerRecord<>(topic, null, recordTimestamp,
                event.cameraId().getBytes(StandardCharsets.UTF_8), DetectionEventJson.toBytes(tracked),
                List.of(new RecordHeader("content-type", JSON)));
    }
}
