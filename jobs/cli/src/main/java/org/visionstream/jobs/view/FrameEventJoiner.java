package org.visionstream.jobs.view;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.visionstream.operators.events.DetectionEvent;

/**
 * Matches frames and detection events by camera id and sequence number, whichever comes first, and hands
 * each pair on. Each side keeps at most {@code maxPending} unmatched records per camera, the oldest dropped
 * first. A camera's frames and events each arrive in sequence order (one partition per camera key), so a
 * record older than the newest one matched on the other side can never be matched: a dead-lettered frame
 * has no event, and a reader that starts mid-stream misses the first frames of the events it reads.
 * Not thread-safe.
 */
final class FrameEventJoiner {

    private final int maxPending;
    private final Consumer<JoinedFrame> sink;
    private final Map<String, NavigableMap<Long, byte[]>> frames = new HashMap<>();
    private final Map<String, NavigableMap<Long, DetectionEvent>> events = new HashMap<>();

    FrameEventJoiner(int maxPending, Consumer<JoinedFrame> sink) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be positive, got " + maxPending);
        }
        this.maxPending = maxPending;
        this.sink = sink;
    }

    void frame(String cameraId, long sequence, byte[] image, long nowMillis) {
        NavigableMap<Long, DetectionEvent> waiting = events.computeIfAbsent(cameraId, c -> new TreeMap<>());
        waiting.headMap(sequence, false).clear();
        DetectionEvent event = waiting.remove(sequence);
        if (event != null) {
            sink.accept(new JoinedFrame(image, event, nowMillis));
        } else {
            keep(frames.computeIfAbsent(cameraId, c -> new TreeMap<>()), sequence, image);
        }
    }

    void event(DetectionEvent event, long nowMillis) {
        NavigableMap<Long, byte[]> waiting = frames.computeIfAbsent(event.cameraId(), c -> new TreeMap<>());
        waiting.headMap(event.sequence(), false).clear();
        byte[] image = waiting.remove(event.sequence());
        if (image != null) {
            sink.accept(new JoinedFrame(image, event, nowMillis));
        } else {
            keep(events.computeIfAbsent(event.cameraId(), c -> new TreeMap<>()), event.sequence(), event);
        }
    }

    /** Unmatched records held for all cameras, both sides. */
    int pending() {
        return frames.values().stream().mapToInt(Map::size).sum() + events.values().stream().mapToInt(Map::size).sum();
    }

    private <T> void keep(NavigableMap<Long, T> pending, long sequence, T value) {
        pending.put(sequence, value);
        while (pending.size() > maxPending) {
            pending.pollFirstEntry();
        }
    }
}
