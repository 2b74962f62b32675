package org.visionstream.operators.flink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.visionstream.operators.deadletter.DeadLetter;
import org.visionstream.operators.deadletter.DeadLetterHeaders;
import org.visionstream.operators.frames.RawFrame;

/**
 * Writes a dead letter to the dead-letter topic as the original record (key, value, timestamp, headers)
 * plus the {@link DeadLetterHeaders}, so it can be inspected and replayed as it was. The record timestamp
 * is no later than the rejection time; the original one is kept in a header.
 */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        RawFrame frame = letter.frame();
        List<Header> headers = new ArrayList<>(frame.headers().size() + 6);
        for (RawFrame.Header h : frame.headers()) {
            headers.add(new RecordHeader(h.key(), h.value()));
        }
        headers.add(header(DeadLetterHeaders.STAGE, letter.stage().name()));
        headers.add(header(DeadLetterHeaders.REASON, letter.reason()));
        headers.add(header(DeadLetterHeaders.MESSAGE, letter.message()));
        headers.add(header(DeadLetterHeaders.SOURCE, frame.source()));
        headers.add(header(DeadLetterHeaders.TIMESTAMP, Long.toString(letter.timestamp())));
        if (frame.timestamp() >= 0) {
            headers.add(header(DeadLetterHeaders.ORIGINAL_TIMESTAMP, Long.toString(frame.timestamp())));
        }
        // A frame stamped in the future (a poison frame too) must not make the broker refuse its dead letter.
        Long recordTimestamp = RecordTimestamps.notAfter(frame.timestamp(), letter.timestamp());
        return new ProducerRecord<>(topic, null, recordTimestamp, frame.key(), frame.value(), headers);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
