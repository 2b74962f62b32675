package org.visionstream.operators.frames;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A frame record as it came off Kafka, before any validation: where it came from, key, value, record
 * timestamp and every header. Kept whole so that a frame that fails later can be dead-lettered with its
 * original bytes and headers.
 */
public record RawFrame(
        String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, List<Header> headers)
        implements Serializable {

    public RawFrame {
        headers = List.copyOf(headers);
    }

    /**
     * Every value of header {@code name} in record order, empty when there is none. Kafka allows a key
     * more than once, so a reader that wants one value decides what a repeat means.
     */
    public List<byte[]> headerValues(String name) {
        List<byte[]> values = new ArrayList<>(1);
        for (Header h : headers) {
            if (h.key().equals(name)) {
                values.add(h.value());
            }
        }
        return values;
    }

    /** Where the frame came from, for logs and dead letters: {@code topic/partition@offset}. */
    public String source() {
        return topic + "/" + partition + "@" + offset;
    }

    /** One Kafka header; the value may be null. */
    public record Header(String key, byte[] value) implements Serializable {}
}
