package org.visionstream.operators.deadletter;

/**
 * Headers a dead-letter record carries on top of the original frame's headers; its key and value are
 * the original frame's. Values are UTF-8 text. The record timestamp is the original record's, or the
 * rejection time ({@link #TIMESTAMP}) when that is earlier: a broker refuses a record timestamp far in
 * the future, and the dead letter of a frame stamped in the year 3000 must still be written. The
 * original timestamp is always in {@link #ORIGINAL_TIMESTAMP} for a replay.
 */
public final class DeadLetterHeaders {

    /** {@link DeadLetterStage} name. */
    public static final String STAGE = "dlq-stage";

    /** Stable reason code. */
    public static final String REASON = "dlq-reason";

    /** Human-readable message. */
    public static final String MESSAGE = "dlq-message";

    /** Where the frame was read: {@code topic/partition@offset}. */
    public static final String SOURCE = "dlq-source";

    /** When it was rejected, epoch milliseconds. */
    public static final String TIMESTAMP = "dlq-ts";

    /** The original record's timestamp, epoch milliseconds; absent when the original had none. */
    public static final String ORIGINAL_TIMESTAMP = "dlq-original-ts";

    private DeadLetterHeaders() {}
}
