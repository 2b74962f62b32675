package org.visionstream.jobs.view;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.TrackedDetectionEvent;

/**
 * The recent path of each track of one camera, as the bottom-centre of its box (where an object touches the
 * ground, so a trail follows its way across the scene), for {@link DetectionPainter#paintTrails}. Not
 * thread-safe: one per camera, fed its events in sequence order.
 */
final class TrackTrails {

    /** Points kept per track: a few seconds at camera rates, enough to show where an object came from. */
    static final int MAX_POINTS = 48;

    /** A track not in the last this many events is gone (the tracker ends it after its max age anyway). */
    static final int MAX_MISSED_EVENTS = 50;

    /** One track's path, oldest point first, drawn in its class colour. */
    record Trail(long trackId, int classId, int[] xs, int[] ys) {}

    private final Map<Long, Path> paths = new LinkedHashMap<>();
    private long events;

    /** Adds the event's tracked detections; detections without a track id have no trail. */
    void add(TrackedDetectionEvent tracked) {
        events++;
        List<Detection> detections = tracked.event().detections();
        for (int i = 0; i < detections.size(); i++) {
            Long id = tracked.trackIds().get(i);
            if (id != null) {
                Detection d = detections.get(i);
                paths.computeIfAbsent(id, k -> new Path()).add(d, events);
            }
        }
        for (Iterator<Path> it = paths.values().iterator(); it.hasNext(); ) {
            if (events - it.next().lastSeen > MAX_MISSED_EVENTS) {
                it.remove();
            }
        }
    }

    /** A copy of the current trails, safe to draw while more events arrive. */
    List<Trail> trails() {
        List<Trail> out = new ArrayList<>(paths.size());
        paths.forEach((id, p) -> out.add(p.trail(id)));
        return out;
    }

    private static final class Path {
        final ArrayDeque<int[]> points = new ArrayDeque<>();
        int classId;
        long lastSeen;

        void add(Detection d, long event) {
            points.addLast(new int[] {Math.round((d.x1() + d.x2()) / 2), Math.round(d.y2())});
            if (points.size() > MAX_POINTS) {
                points.removeFirst();
            }
            classId = d.classId();
            lastSeen = event;
        }

        Trail trail(long id) {
            int[] xs = new int[points.size()];
            int[] ys = new int[points.size()];
            int i = 0;
            for (int[] p : points) {
                xs[i] = p[0];
                ys[i++] = p[1];
            }
            return new Trail(id, classId, xs, ys);
        }
    }
}
