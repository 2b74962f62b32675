package org.visionstream.operators.deadletter;

/**
 * Headers a dead-letter record carries on top of the original frame's headers; its key and value are
 * the original frame's. Values are UTF-8 text.
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

    private DeadLetterHeaders() {}
}
