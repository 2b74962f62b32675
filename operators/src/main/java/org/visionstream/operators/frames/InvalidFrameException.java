package org.visionstream.operators.frames;

/** A frame record whose headers break the frame format; the reason is a stable dead-letter code. */
public final class InvalidFrameException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the headers are rejected. */
    public enum Reason {
        MISSING_HEADER,
        INVALID_HEADER
    }

    private final Reason reason;

    public InvalidFrameException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
