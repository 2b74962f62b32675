package org.visionstream.operators.flink;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.visionstream.operators.frames.RawFrame;

/**
 * Reads every frame record as a {@link RawFrame} without judging it: validation happens in
 * {@link FrameDecodeFunction}, where a bad frame becomes a dead letter instead of failing the source.
 */
public final class RawFrameDeserializationSchema implements KafkaRecordDeserializationSchema<RawFrame> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawFrame> out) {
        List<RawFrame.Header> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(new RawFrame.Header(h.key(), h.value()));
        }
        out.collect(new RawFrame(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), headers));
    }

    @Override
    public TypeInformation<RawFrame> getProducedType() {
        return TypeInformation.of(RawFrame.class);
    }
}
