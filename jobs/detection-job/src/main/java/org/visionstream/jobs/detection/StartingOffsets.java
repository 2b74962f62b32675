package org.visionstream.jobs.detection;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the job starts reading a frames partition for which its consumer group has no committed offset (a
 * new group, a new partition): the earliest frame, the latest (only frames sent from now on), or the first
 * frame captured at or after a time (the record timestamp is the capture time). A partition with a
 * committed offset resumes there, and a start from a checkpoint or savepoint resumes where it stopped.
 *
 * @param timestamp epoch ms of a {@link Kind#TIMESTAMP} start, 0 otherwise
 */
public record StartingOffsets(Kind kind, long timestamp) implements Serializable {

    /** Live cameras: a new deployment analyses what the cameras see now, not the topic's retained past. */
    public static final StartingOffsets DEFAULT = new StartingOffsets(Kind.LATEST, 0);

    public enum Kind { EARLIEST, LATEST, TIMESTAMP }

    /** {@code earliest}, {@code latest}, an ISO-8601 time ({@code 2026-11-30T08:00:00Z}, or with an offset) or epoch ms. */
    public static StartingOffsets parse(String value) {
        String v = value.trim();
        switch (v.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return new StartingOffsets(Kind.EARLIEST, 0);
            case "latest":
                return new StartingOffsets(Kind.LATEST, 0);
            default:
                break;
        }
        try {
            if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return new StartingOffsets(Kind.TIMESTAMP, Long.parseLong(v));
            }
            return new StartingOffsets(Kind.TIMESTAMP, v.endsWith("Z") || v.endsWith("z")
                    ? Instant.parse(v).toEpochMilli() : OffsetDateTime.parse(v).toInstant().toEpochMilli());
        } catch (NumberFormatException | DateTimeException e) {
            throw new IllegalArgumentException("the start position (start-from) must be earliest, latest, an ISO-8601 "
                    + "time such as 2026-11-30T08:00:00Z or epoch milliseconds, got '" + value + "'");
        }
    }

    /** The Kafka source's starting offsets: committed offsets first, this position where there are none. */
    public OffsetsInitializer initializer() {
        return switch (kind) {
            case EARLIEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case LATEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
            // The connector's own timestamp initializer ignores committed offsets, and its committed-offsets
            // one can only fall back to earliest or latest: this one does both.
            case TIMESTAMP -> new CommittedOrTimestamp(timestamp);
        };
    }

    @Override
    public String toString() {
        return kind == Kind.TIMESTAMP ? Instant.ofEpochMilli(timestamp).toString() : kind.name().toLowerCase(Locale.ROOT);
    }

    /** Committed offsets where the group has them; elsewhere the first record at or after the time, or the end. */
    static final class CommittedOrTimestamp implements OffsetsInitializer {

        private static final long serialVersionUID = 1L;

        private final long timestamp;

        CommittedOrTimestamp(long timestamp) {
            this.timestamp = timestamp;
        }

        @Override
        public Map<TopicPartition, Long> getPartitionOffsets(Collection<TopicPartition> partitions,
                PartitionOffsetsRetriever retriever) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            Map<TopicPartition, Long> byTime = new HashMap<>();
            Map<TopicPartition, Long> committed = retriever.committedOffsets(partitions);
            for (TopicPartition p : partitions) {
                Long offset = committed.get(p);
                if (offset != null && offset >= 0) {
                    offsets.put(p, offset);
                } else {
                    byTime.put(p, timestamp);
                }
            }
            if (byTime.isEmpty()) {
                return offsets;
            }
            Map<TopicPartition, OffsetAndTimestamp> found = retriever.offsetsForTimes(byTime);
            Map<TopicPartition, Long> ends = retriever.endOffsets(byTime.keySet());
            for (TopicPartition p : byTime.keySet()) {
                OffsetAndTimestamp at = found.get(p);
                offsets.put(p, at != null ? at.offset() : ends.get(p));
            }
            return offsets;
        }

        /** A committed offset that retention has deleted: the oldest frame still there (staleness skips it cheaply). */
        @Override
        public OffsetResetStrategy getAutoOffsetResetStrategy() {
            return OffsetResetStrategy.EARLIEST;
        }
    }
}
