package org.visionstream.jobs.produce;

import java.io.PrintStream;
import java.util.Locale;

/** Told how a {@link FrameProducer} run is going: at most every 2 seconds, and once at the end. */
@FunctionalInterface
public interface ProgressListener {

    void progress(long framesSent, long bytesSent, double elapsedSeconds);

    /** Prints "sent N frames (X fps, Y MB)" lines, the commands' progress display. */
    static ProgressListener printingTo(PrintStream out) {
        return (frames, bytes, seconds) -> out.printf(Locale.ROOT, "sent %d frames (%.1f fps, %.1f MB)%n",
                frames, seconds > 0 ? frames / seconds : 0, bytes / 1e6);
    }
}
