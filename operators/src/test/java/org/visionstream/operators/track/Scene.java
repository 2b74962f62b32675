package org.visionstream.operators.track;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.ObjectEvent;

/**
 * A synthetic camera: objects with known identities moving at constant velocity, optionally hidden in
 * some frames, detected with seeded jitter. Runs a tracker over it and scores the identities it keeps.
 */
final class Scene {

    record Actor(String label, float x, float y, float w, float h, float vx, float vy) {
        float[] box(double seconds) {
            float cx = (float) (x + vx * seconds);
            float cy = (float) (y + vy * seconds);
            return new float[] {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
        }
    }

    /** Whether actor {@code a} is detected in frame {@code f}. */
    interface Visibility {
        boolean visible(int a, int f, float[][] boxes);
    }

    final List<Actor> actors = new ArrayList<>();
    final List<ObjectEvent> events = new ArrayList<>();
    /** Per actor, per frame: the track id reported for its detection (null: none or not visible). */
    final List<List<Long>> ids = new ArrayList<>();
    final Random random = new Random(42);
    float jitter = 1.0f;
    float score = 0.9f;

    Scene add(Actor a) {
        actors.add(a);
        ids.add(new ArrayList<>());
        return this;
    }

    /** Frames {@code 0..frames-1}, {@code fps} apart, sequence numbers from {@code firstSeq}. */
    void run(Tracker tracker, TrackerState state, int frames, double fps, long firstSeq, Visibility visibility) {
        for (int f = 0; f < frames; f++) {
            double t = f / fps;
            float[][] boxes = new float[actors.size()][];
            for (int a = 0; a < actors.size(); a++) {
                boxes[a] = actors.get(a).box(t);
            }
            List<Detection> dets = new ArrayList<>();
            List<Integer> actorOf = new ArrayList<>();
            for (int a = 0; a < actors.size(); a++) {
                if (visibility.visible(a, f, boxes)) {
                    float[] b = boxes[a];
                    dets.add(new Detection(actors.get(a).label(), 1, score, b[0] + noise(), b[1] + noise(),
                            b[2] + noise(), b[3] + noise()));
                    actorOf.add(a);
                }
            }
            TrackerResult r = tracker.update(state, "cam", firstSeq + f, 1_000_000L + Math.round(t * 1000), dets);
            events.addAll(r.events());
            for (int a = 0; a < actors.size(); a++) {
                int d = actorOf.indexOf(a);
                ids.get(a).add(d >= 0 ? r.trackIds().get(d) : null);
            }
        }
    }

    private float noise() {
        return (float) (random.nextGaussian() * jitter);
    }

    /** Times an actor's reported id changed from one id to another (MOT's ID switches, per ground truth). */
    int idSwitches() {
        int switches = 0;
        for (List<Long> perFrame : ids) {
            Long last = null;
            for (Long id : perFrame) {
                if (id != null) {
                    if (last != null && !last.equals(id)) {
                        switches++;
                    }
                    last = id;
                }
            }
        }
        return switches;
    }

    /** The ids an actor was reported with. */
    List<Long> distinctIds(int actor) {
        return ids.get(actor).stream().filter(java.util.Objects::nonNull).distinct().toList();
    }

    Map<ObjectEvent.Type, Integer> counts() {
        Map<ObjectEvent.Type, Integer> c = new HashMap<>();
        events.forEach(e -> c.merge(e.type(), 1, Integer::sum));
        return c;
    }

    static float iou(float[] a, float[] b) {
        return org.visionstream.operators.track.internal.Geometry.iou(a, b);
    }
}
