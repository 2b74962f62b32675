package org.visionstream.jobs.produce;

/**
 * What a {@link FrameProducer} run published. The sequences are inclusive; when no frame was sent,
 * {@code lastSequence} is {@code firstSequence - 1}.
 */
public record ProducerSummary(
        long framesSent, long bytesSent, long firstSequence, long lastSequence, double elapsedSeconds) {

    /** Frames sent per second of the run, 0 for an instant run. */
    public double fps() {
        return elapsedSeconds > 0 ? framesSent / elapsedSeconds : 0;
    }
}
