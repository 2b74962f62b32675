package org.visionstream.jobs.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.DetectionEvent;

/**
 * The live view's state: per camera, the latest joined frame and the statistics of its recent events.
 * Frames are drawn only when a page asks for them, once per frame whatever the number of pages, so a
 * burst of events (a checkpoint commits several at once) costs one drawing, not one per event.
 * Thread-safe: the feed thread updates it, each page's thread reads it.
 */
final class LiveBoard implements Consumer<JoinedFrame> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Events per camera the rates and medians are taken over. */
    private static final int WINDOW = 30;

    private static final int JPEG_QUALITY = 85;

    private final DetectionPainter painter = new DetectionPainter();
    private final Map<String, Camera> cameras = new LinkedHashMap<>();
    private long version;
    private boolean closed;

    @Override
    public synchronized void accept(JoinedFrame frame) {
        cameras.computeIfAbsent(frame.event().cameraId(), Camera::new).add(frame);
        version++;
        notifyAll();
    }

    /**
     * Waits until something changed after {@code seen}, at most {@code timeoutMillis}; returns the version
     * now, or -1 once the board is closed.
     */
    public synchronized long awaitChange(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (version == seen && !closed) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return closed ? -1 : version;
    }

    /**
     * The JSON message of every camera whose latest frame differs from the one {@code sent} records (camera
     * id to sequence), which is updated.
     */
    public List<String> messagesSince(Map<String, Long> sent) {
        List<Camera> changed = new ArrayList<>();
        synchronized (this) {
            for (Camera c : cameras.values()) {
                if (!Long.valueOf(c.latest.event().sequence()).equals(sent.get(c.id))) {
                    changed.add(c);
                }
            }
        }
        List<String> messages = new ArrayList<>(changed.size());
        for (Camera c : changed) {
            Camera.Message m = c.message();
            sent.put(c.id, m.sequence);
            messages.add(m.json);
        }
        return messages;
    }

    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** One camera: its latest frame, a window of its events, and the message drawn for the latest frame. */
    private final class Camera {

        private final String id;
        private final long[] detectTimestamps = new long[WINDOW];
        private final double[] detectMillis = new double[WINDOW];
        private final double[] latencyMillis = new double[WINDOW];
        private long count;
        private final TrackTrails trails = new TrackTrails();
        private JoinedFrame latest;
        /** The trails as they were at {@link #latest}, drawn with it. */
        private List<TrackTrails.Trail> latestTrails = List.of();
        private Message drawn;

        Camera(String id) {
            this.id = id;
        }

        /** Under the board's lock. */
        void add(JoinedFrame frame) {
            DetectionEvent e = frame.event();
            int slot = (int) (count++ % WINDOW);
            detectTimestamps[slot] = e.detectTimestamp();
            detectMillis[slot] = e.detectMillis();
            latencyMillis[slot] = frame.receivedMillis() - e.captureTimestamp();
            trails.add(frame.tracked());
            latest = frame;
            latestTrails = trails.trails();
        }

        Message message() {
            JoinedFrame frame;
            List<TrackTrails.Trail> frameTrails;
            ObjectNode stats = JSON.createObjectNode();
            synchronized (LiveBoard.this) {
                frame = latest;
                frameTrails = latestTrails;
                int n = (int) Math.min(count, WINDOW);
                long first = Arrays.stream(detectTimestamps, 0, n).min().orElse(0);
                long last = Arrays.stream(detectTimestamps, 0, n).max().orElse(0);
                // Events per second as the detector finished them: the camera's rate while the job keeps up,
                // the job's throughput while it works through a backlog.
                stats.put("fps", n > 1 && last > first ? (n - 1) * 1000.0 / (last - first) : 0);
                stats.put("detectMillis", median(detectMillis, n));
                stats.put("latencyMillis", median(latencyMillis, n));
                stats.put("events", count);
            }
            synchronized (this) {
                if (drawn == null || drawn.sequence != frame.event().sequence()) {
                    drawn = new Message(frame.event().sequence(), json(frame, frameTrails, stats));
                }
                return drawn;
            }
        }

        private String json(JoinedFrame frame, List<TrackTrails.Trail> trails, ObjectNode stats) {
            DetectionEvent e = frame.event();
            ObjectNode out = JSON.createObjectNode();
            out.put("camera", id);
            out.put("sequence", e.sequence());
            out.put("width", e.image().width());
            out.put("height", e.image().height());
            if (!e.analysed()) { // not "nothing detected": the job did not look
                out.put("skipped", e.skipped().describe());
            }
            out.setAll(stats);
            ArrayNode list = out.putArray("detections");
            for (int i = 0; i < e.detections().size(); i++) {
                Detection d = e.detections().get(i);
                ObjectNode o = list.addObject();
                o.put("label", d.label());
                o.put("trackId", frame.tracked().trackIds().get(i));
                o.put("score", d.score());
                ArrayNode box = o.putArray("box");
                for (float v : d.box()) {
                    box.add(v);
                }
            }
            out.put("image", "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(draw(frame, trails)));
            return out.toString();
        }

        private byte[] draw(JoinedFrame frame, List<TrackTrails.Trail> trails) {
            try (Mat mat = Images.annotated(frame, trails, painter)) {
                return Images.jpeg(mat, JPEG_QUALITY);
            }
        }

        private record Message(long sequence, String json) {}
    }

    private static double median(double[] values, int n) {
        if (n == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
