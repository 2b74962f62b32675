package org.visionstream.jobs.produce;

import java.io.IOException;
import java.nio.file.Path;

/** Where a {@link FrameProducer} takes its frames from, already sampled and encoded. Not thread-safe. */
interface FrameSource extends AutoCloseable {

    /** An encoded frame ready to publish; the capture timestamp is epoch milliseconds. */
    record SourceFrame(byte[] data, String contentType, long captureTimestamp) {}

    /** The next frame, or null at the end of the source. */
    SourceFrame next() throws IOException;

    @Override
    void close();

    /**
     * Opens the options' source. Capture times of video files and folders count from {@code startMillis}
     * so that replayed media gets increasing, present-day timestamps.
     */
    static FrameSource open(FrameProducerOptions options, long startMillis) throws IOException {
        return switch (options.sourceKind()) {
            case IMAGE_FOLDER -> new ImageFolderSource(Path.of(options.source()), options.fps(), startMillis);
            case VIDEO_FILE, STREAM -> new VideoSource(options, startMillis);
        };
    }
}
