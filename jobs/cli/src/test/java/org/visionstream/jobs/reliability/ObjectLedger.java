package org.visionstream.jobs.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.visionstream.jobs.detection.DetectionJobOptions;
import org.visionstream.operators.events.DetectionEventJson;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.ObjectEventJson;
import org.visionstream.operators.events.TrackedDetectionEvent;

/**
 * The objects' lifecycle as a read_committed consumer sees it after failures: per camera, track ids 1..n
 * each appeared exactly once (a restore that lost the tracker state would number from 1 again, one that
 * replayed events would repeat them), disappeared at most once and only after its last detection, every
 * track id of the detection events announced, and every track left unseen for longer than the tracker's
 * max age reported gone. The tracker is deterministic in the frames, so a replay after a restore gives the
 * same ids and events as the run that died.
 */
final class ObjectLedger {

    private final Map<String, List<ObjectEvent>> appeared = new TreeMap<>();
    private final Map<String, List<ObjectEvent>> disappeared = new TreeMap<>();
    /** Per camera#track: capture time of its first and last detection in the events. */
    private final Map<String, long[]> detected = new TreeMap<>();
    private final Map<String, Long> latestFrame = new TreeMap<>();

    void add(ConsumerRecord<byte[], byte[]> r) {
        ObjectEvent e = read(() -> ObjectEventJson.fromBytes(r.value()));
        String key = e.cameraId() + "#" + e.trackId();
        if (e.type() == ObjectEvent.Type.APPEARED) {
            appeared.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        } else if (e.type() == ObjectEvent.Type.DISAPPEARED) {
            disappeared.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
        }
    }

    void addEvent(ConsumerRecord<byte[], byte[]> r) {
        TrackedDetectionEvent t = read(() -> DetectionEventJson.fromBytesTracked(r.value()));
        long ts = t.event().captureTimestamp();
        latestFrame.merge(t.event().cameraId(), ts, Math::max);
        for (Long id : t.trackIds()) {
            if (id != null) {
                long[] span = detected.computeIfAbsent(t.event().cameraId() + "#" + id, k -> new long[] {ts, ts});
                span[0] = Math.min(span[0], ts);
                span[1] = Math.max(span[1], ts);
            }
        }
    }

    /** Whether nothing is missing yet (the objects sink commits a moment after the events sink). */
    boolean complete() {
        long maxAge = maxAge();
        return appeared.keySet().containsAll(detected.keySet()) && detected.entrySet().stream()
                .allMatch(e -> disappeared.containsKey(e.getKey()) || latest(e.getKey()) - e.getValue()[1] <= maxAge);
    }

    private long latest(String key) {
        return latestFrame.get(key.substring(0, key.lastIndexOf('#')));
    }

    /** The job in these tests runs with the tracker's defaults. */
    private static long maxAge() {
        return DetectionJobOptions.builder().tracker().build().maxAge().toMillis();
    }

    /** Asserts the lifecycle; returns the number of tracks. */
    int verify(String when) {
        long maxAge = maxAge();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> tracksPerCamera = new TreeMap<>();
        appeared.forEach((key, list) -> {
            if (list.size() != 1) {
                problems.add(key + " appeared x" + list.size());
            }
            tracksPerCamera.merge(key.substring(0, key.lastIndexOf('#')), 1, Integer::sum);
        });
        tracksPerCamera.forEach((camera, n) -> {
            for (int id = 1; id <= n; id++) {
                if (!appeared.containsKey(camera + "#" + id)) {
                    problems.add(camera + ": ids not 1.." + n + ", " + id + " missing");
                }
            }
        });
        disappeared.forEach((key, list) -> {
            if (list.size() > 1) {
                problems.add(key + " disappeared x" + list.size());
            }
            if (!appeared.containsKey(key)) {
                problems.add(key + " disappeared without appearing");
            }
            long[] span = detected.get(key);
            if (span != null && span[1] > list.get(0).lastSeen()) {
                problems.add(key + " detected after it disappeared");
            }
        });
        detected.forEach((key, span) -> {
            List<ObjectEvent> a = appeared.get(key);
            if (a == null) {
                problems.add(key + " has detections but never appeared");
            } else if (span[0] < a.get(0).timestamp()) {
                problems.add(key + " detected with its id before it appeared");
            }
            long latest = latest(key);
            if (latest - span[1] > maxAge && !disappeared.containsKey(key)) {
                problems.add(key + " unseen for " + (latest - span[1]) + " ms but never disappeared");
            }
        });
        assertEquals(List.of(), problems, when + ": object lifecycle, exactly once; tracks per camera " + tracksPerCamera);
        return appeared.size();
    }

    private interface Reading<T> {
        T read() throws IOException;
    }

    private static <T> T read(Reading<T> r) {
        try {
            return r.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
