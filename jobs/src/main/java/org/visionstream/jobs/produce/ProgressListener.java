package org.visionstream.jobs.produce;

/** Told how a {@link FrameProducer} run is going: at most every 2 seconds, and once at the end. */
@FunctionalInterface
public interface ProgressListener {

    void progress(long framesSent, long bytesSent, double elapsedSeconds);
}
