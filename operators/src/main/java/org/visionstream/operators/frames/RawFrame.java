package org.visionstream.operators.frames;

import java.io.Serializable;
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

    /** The last value of header {@code name}, or null. */
    public byte[] header(String name) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).key().equals(name)) {
                return headers.get(i).value();
            }
        }
        return null;
    }

    /** Where the frame came from, for logs and dead letters: {@code topic/partition@offset}. */
    public String source() {
        return topic + "/" + partition + "@" + offset;
    }

    /** One Kafka header; the value may be null. */
    public record Header(String key, byte[] value) implements Serializable {}
}
