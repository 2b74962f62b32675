package org.visionstream.operators.deadletter;

import java.io.Serializable;
import org.visionstream.operators.frames.RawFrame;

/**
 * A frame the pipeline could not turn into an event: the original record, the stage that rejected it,
 * a stable reason code (e.g. {@code MISSING_HEADER}, {@code TRUNCATED}, {@code NETWORK_INPUT_TOO_LARGE})
 * and a human-readable message.
 */
public record DeadLetter(RawFrame frame, DeadLetterStage stage, String reason, String message, long timestamp)
        implements Serializable {}
