package org.visionstream.operators.flink;

/** The record timestamps the sinks write. */
final class RecordTimestamps {

    private RecordTimestamps() {}

    /**
     * {@code timestamp}, but no later than {@code processingTime}: a broker refuses a record stamped more
     * than {@code log.message.timestamp.after.max.ms} (1 h by default) ahead of its clock, and a refused
     * record fails the sink, which restarts the job on the same record forever. Null (the producer's
     * time) when negative, which Kafka does not accept either.
     */
    static Long notAfter(long timestamp, long processingTime) {
        long t = Math.min(timestamp, processingTime);
        return t >= 0 ? t : null;
    }
}
