package org.visionstream.jobs.view;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * What {@code demo --view} and {@code demo --annotate} add to a run: one {@link LiveFeed} on the run's
 * topics feeding the live view's board, an annotated video, or both. The feed starts at the topics' ends,
 * so the demo makes this just before its camera starts (after its warm-up camera's records).
 */
public final class LiveOutputs implements AutoCloseable {

    private final LiveBoard board = new LiveBoard();
    private final DetectionPainter painter = new DetectionPainter();
    private final AnnotatedOutput annotated;
    /** Per camera, for the annotated output; the board keeps its own. */
    private final Map<String, TrackTrails> trails = new HashMap<>();
    private final LiveFeed feed;
    private final ViewServer server;
    /** Guarded by {@code this}: the feed thread writes, the demo's thread finishes. */
    private boolean annotating;

    /**
     * @param view where to serve the live view, or null for none
     * @param annotate the annotated video (or JPEG folder) to write, or null for none
     * @param fps the annotated video's frame rate
     */
    public LiveOutputs(String bootstrapServers, String framesTopic, String eventsTopic, ViewAddress view,
            Path annotate, double fps) throws IOException {
        this.annotated = annotate == null ? null : new AnnotatedOutput(annotate, fps);
        this.annotating = annotated != null;
        this.feed = new LiveFeed(bootstrapServers, framesTopic, eventsTopic, false, this::accept);
        this.server = view == null ? null : view.start(board);
    }

    /** On the feed's thread. */
    private void accept(JoinedFrame frame) {
        board.accept(frame);
        synchronized (this) {
            if (annotating) {
                TrackTrails trails = this.trails.computeIfAbsent(frame.event().cameraId(), c -> new TrackTrails());
                trails.add(frame.tracked());
                try (Mat bgr = Images.annotated(frame, trails.trails(), painter)) {
                    annotated.write(bgr);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** The live view's address, when it is served. */
    public Optional<String> url() {
        return Optional.ofNullable(server).map(ViewServer::url);
    }

    /**
     * Waits until the feed has drawn {@code events} frames (every event of the run), then finishes the
     * annotated video; returns how many frames it holds, or -1 when none is written.
     */
    public long finishAnnotated(long events, Duration timeout) throws IOException, InterruptedException {
        if (annotated == null) {
            return -1;
        }
        if (!feed.awaitJoined(events, timeout)) {
            System.err.printf("annotated output: only %d of %d events met their frame within %s%n", annotated.frames(),
                    events, timeout);
        }
        finishAnnotated();
        return annotated.frames();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            feed.close();
        } finally {
            if (server != null) {
                server.close();
            }
            finishAnnotated();
        }
    }

    private synchronized void finishAnnotated() throws IOException {
        if (annotating) {
            annotating = false;
            annotated.close();
        }
    }
}
