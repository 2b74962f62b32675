package org.visionstream.operators.bundle;

/** A bundle folder that is missing a file or whose manifest breaks the format's rules. */
public final class BundleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
