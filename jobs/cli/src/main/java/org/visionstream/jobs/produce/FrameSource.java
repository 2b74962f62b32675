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
     * Opens the options' source. Capture times of video files and folders count from the moment their first
     * frame is read, so that replayed media gets increasing, present-day timestamps; not from the opening,
     * which may take a second (FFmpeg's libraries, probing the file) that every frame would then seem late by.
     */
    static FrameSource open(FrameProducerOptions options) throws IOException {
        return switch (options.sourceKind()) {
            case IMAGE_FOLDER -> new ImageFolderSource(Path.of(options.source()), options.fps());
            case VIDEO_FILE, STREAM -> new VideoSource(options);
        };
    }
}
