package org.visionstream.jobs.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) for a command that must finish cleanly: the shutdown hook runs {@code stop}, then
 * holds the JVM until the command's try-with-resources block closes this (30 s at most), so what was
 * started is flushed and summarised rather than cut off.
 */
public final class GracefulShutdown implements AutoCloseable {

    private static final long WAIT_SECONDS = 30;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private GracefulShutdown(Runnable stop) {
        hook = new Thread(() -> {
            stop.run();
            try {
                if (!finished.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    System.err.println("did not finish within " + WAIT_SECONDS + " s of the stop signal, exiting anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "graceful-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Runs {@code stop} on a stop signal until this is closed. */
    public static GracefulShutdown onSignal(Runnable stop) {
        return new GracefulShutdown(stop);
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and has just been released by the countDown
        }
    }
}
