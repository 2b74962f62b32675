package org.visionstream.jobs.view;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.frames.FrameMetadata;
import org.visionstream.operators.frames.FrameParser;
import org.visionstream.operators.frames.InvalidFrameException;
import org.visionstream.operators.frames.RawFrame;

/** Reads frame and event records as the job does: the same header rules, the same event format. */
final class TopicRecords {

    private static final FrameParser PARSER = new FrameParser(FrameParser.DEFAULT_MAX_CLOCK_SKEW);

    private TopicRecords() {}

    /** The frame's validated headers; the job dead-letters a frame that fails them, so it has no event. */
    static FrameMetadata frame(ConsumerRecord<byte[], byte[]> record, long nowMillis) throws InvalidFrameException {
        List<RawFrame.Header> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(new RawFrame.Header(h.key(), h.value()));
        }
        return PARSER.parse(new RawFrame(record.topic(), record.partition(), record.offset(), record.timestamp(),
                record.key(), record.value(), headers), nowMillis);
    }

    static TrackedDetectionEvent event(ConsumerRecord<byte[], byte[]> record) throws IOException {
        try {
            return DetectionEventJson.fromBytesTracked(record.value());
        } catch (IOException e) {
            throw new IOException("unreadable event at " + record.topic() + "/" + record.partition() + "@"
                    + record.offset() + ": " + e.getMessage(), e);
        }
    }
}
