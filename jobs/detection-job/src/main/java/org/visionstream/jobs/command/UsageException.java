package org.visionstream.jobs.command;

import java.util.function.Supplier;

/**
 * A mistake in what the user asked for (an option value, a file, a model bundle, a Kafka address): the
 * message says what is wrong and what to do. {@link CommandLineFactory} prints it as one line with exit
 * code 2. Failures of the machinery (a model session, a device, a broker at run time) are other
 * exceptions and keep their stack trace.
 */
public final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Builds options from what the user typed: the builders refuse a bad value with an
     * {@link IllegalArgumentException} naming the setting, which here is the user's mistake.
     */
    public static <T> T fromInput(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }
}
