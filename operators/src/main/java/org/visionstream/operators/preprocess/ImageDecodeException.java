package org.visionstream.operators.preprocess;

/** An encoded image that cannot be turned into pixels, with a machine-readable reason. */
public final class ImageDecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why decoding failed; stable names, used as dead-letter reasons. */
    public enum Reason {
        EMPTY,
        TOO_LARGE,
        UNSUPPORTED_FORMAT,
        TRUNCATED,
        DIMENSIONS_TOO_LARGE,
        CORRUPT
    }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
