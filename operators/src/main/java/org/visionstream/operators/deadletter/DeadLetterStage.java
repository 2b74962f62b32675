package org.visionstream.operators.deadletter;

/** The pipeline stage at which a frame was rejected. */
public enum DeadLetterStage {
    /** The record's headers break the frame format. */
    HEADERS,
    /** The bytes are not a decodable JPEG/PNG within the limits. */
    DECODE,
    /** The detector failed on the decoded image. */
    MODEL
}
