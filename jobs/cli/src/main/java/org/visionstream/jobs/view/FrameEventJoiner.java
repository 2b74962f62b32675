package org.visionstream.jobs.view;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;

/**
 * Matches frames and detection events by camera id and sequence number, whichever comes first, and hands
 * each pair on. Per camera it keeps at most {@code maxPending} unmatched events (the oldest dropped first),
 * and unmatched frames up to {@code maxPending} of them and {@code maxPendingBytes} together. Frames over
 * the limit are thinned, every other one dropped, rather than the oldest: events lag their frames by a
 * checkpoint, and a buffer of only the newest frames would hold none of the frames the events coming next
 * are about, where a thinned one still holds every second, fourth... of them. A camera's
 * frames and events each arrive in sequence order (one partition per camera key), so a record older than
 * the newest one matched on the other side can never be matched: a dead-lettered frame has no event, and a
 * reader that starts mid-stream misses the first frames of the events it reads. Not thread-safe.
 */
final class FrameEventJoiner {

    private final int maxPending;
    private final long maxPendingBytes;
    private final Consumer<JoinedFrame> sink;
    private final Map<String, Camera> cameras = new HashMap<>();

    FrameEventJoiner(int maxPending, long maxPendingBytes, Consumer<JoinedFrame> sink) {
        if (maxPending < 1 || maxPendingBytes < 1) {
            throw new IllegalArgumentException("the limits must be positive, got " + maxPending + " and " + maxPendingBytes);
        }
        this.maxPending = maxPending;
        this.maxPendingBytes = maxPendingBytes;
        this.sink = sink;
    }

    void frame(String cameraId, long sequence, byte[] image, long nowMillis) {
        Camera c = cameras.computeIfAbsent(cameraId, id -> new Camera());
        c.events.headMap(sequence, false).clear();
        TrackedDetectionEvent event = c.events.remove(sequence);
        if (event != null) {
            sink.accept(new JoinedFrame(image, event, nowMillis));
            return;
        }
        c.frames.put(sequence, image);
        c.frameBytes += image.length;
        while (c.frames.size() > maxPending || (c.frameBytes > maxPendingBytes && c.frames.size() > 1)) {
            c.thinFrames();
        }
    }

    void event(TrackedDetectionEvent tracked, long nowMillis) {
        DetectionEvent event = tracked.event();
        Camera c = cameras.computeIfAbsent(event.cameraId(), id -> new Camera());
        c.dropFramesBefore(event.sequence());
        byte[] image = c.frames.remove(event.sequence());
        if (image != null) {
            c.frameBytes -= image.length;
            c.events.headMap(event.sequence(), false).clear();
            sink.accept(new JoinedFrame(image, tracked, nowMillis));
            return;
        }
        c.events.put(event.sequence(), tracked);
        while (c.events.size() > maxPending) {
            c.events.pollFirstEntry();
        }
    }

    /** Unmatched records held for all cameras, both sides. */
    int pending() {
        return cameras.values().stream().mapToInt(c -> c.frames.size() + c.events.size()).sum();
    }

    private static final class Camera {
        final NavigableMap<Long, byte[]> frames = new TreeMap<>();
        final NavigableMap<Long, TrackedDetectionEvent> events = new TreeMap<>();
        long frameBytes;

        /** Drops the oldest frame and every second one after it, never the newest. */
        void thinFrames() {
            boolean drop = true;
            for (Iterator<byte[]> it = frames.values().iterator(); it.hasNext(); drop = !drop) {
                byte[] frame = it.next();
                if (drop && it.hasNext()) {
                    frameBytes -= frame.length;
                    it.remove();
                }
            }
        }

        void dropFramesBefore(long sequence) {
            NavigableMap<Long, byte[]> older = frames.headMap(sequence, false);
            older.values().forEach(f -> frameBytes -= f.length);
            older.clear();
        }
    }
}
