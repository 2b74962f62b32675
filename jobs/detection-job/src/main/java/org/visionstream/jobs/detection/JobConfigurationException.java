package org.visionstream.jobs.detection;

/** The job cannot start as configured; the message says what is wrong and what to do. */
public final class JobConfigurationException extends Exception {

    private static final long serialVersionUID = 1L;

    public JobConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
