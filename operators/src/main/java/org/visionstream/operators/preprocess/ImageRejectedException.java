package org.visionstream.operators.preprocess;

/**
 * A decoded image the detector refuses because of what it is, not because the detector failed: the same
 * image is refused every time, on any machine, so it is the frame's fault (a dead letter), unlike an ONNX
 * Runtime error, which is the machinery's. The reason is a stable code, used as the dead-letter reason.
 */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the image is refused; stable names, used as dead-letter reasons. */
    public enum Reason {
        /** The bundle's resize rule would make a network input above {@link Preprocessor#MAX_INPUT_PIXELS}. */
        NETWORK_INPUT_TOO_LARGE
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
