package org.visionstream.operators.deadletter;

/** The pipeline stage at which a frame was rejected. */
public enum DeadLetterStage {
    /** The record's headers break the frame format. */
    HEADERS,
    /** The bytes are not a decodable JPEG/PNG within the limits. */
    DECODE,
    /** The detector refused the decoded image (its failures are the job's, never a dead letter). */
    MODEL
}
