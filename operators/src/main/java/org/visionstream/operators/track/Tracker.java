package org.visionstream.operators.track;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.ObjectEvent.Type;
import org.visionstream.operators.track.ZoneOptions.CameraZones;
import org.visionstream.operators.track.ZoneOptions.Line;
import org.visionstream.operators.track.internal.BoxKalman;
import org.visionstream.operators.track.internal.Geometry;
import org.visionstream.operators.track.internal.Hungarian;
import org.visionstream.operators.track.internal.Track;

/**
 * Multi-object tracking of one camera at a time (ByteTrack's association over SORT's Kalman filter): each
 * frame's detections extend the camera's tracks in a {@link TrackerState}, which the caller keeps. Stateless
 * itself, so one instance serves every camera.
 *
 * <p>Per frame, in capture-time order: every track's box is predicted to the frame's capture time; detections
 * scoring at least {@link TrackerOptions#highScore()} are assigned to all tracks by IoU, then the remaining
 * lower-scoring ones to the tracks seen in the previous frame that are still unmatched (a partly occluded
 * object scores low but is still the same object). The assignment is Hungarian (minimum total cost
 * {@code 1 - IoU}), not greedy: where two objects cross, the largest single IoU can belong to the wrong
 * pair, and greedy matching would then hand the other track a box that does not fit it; with 20 tracks
 * the optimum costs microseconds. A track is confirmed after {@link TrackerOptions#minHits()} detections in
 * consecutive frames (a tentative track missed once is dropped: most are false positives) and disappears
 * {@link TrackerOptions#maxAge()} of capture time after its last detection.
 *
 * <p>Frames must come in sequence order. A frame whose sequence is not above the last one processed (a
 * duplicate, or late) is not tracked: {@link TrackerResult#stale()}, no ids, no events. Time never runs
 * backwards: a newer frame stamped earlier than the last one is taken as simultaneous with it.
 */
public final class Tracker implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Cost of pairs that may not match, above any admissible {@code 1 - IoU + penalty}. */
    private static final double FORBIDDEN = 1e6;

    private final TrackerOptions options;

    public Tracker(TrackerOptions options) {
        this.options = options;
    }

    /** Tracks one frame's detections; updates {@code state}. */
    public TrackerResult update(TrackerState state, String cameraId, long sequence, long timestamp,
            List<Detection> detections) {
        List<Long> ids = new ArrayList<>(Collections.nCopies(detections.size(), (Long) null));
        if (state.lastSequence >= 0 && sequence <= state.lastSequence) {
            return new TrackerResult(true, ids, List.of());
        }
        boolean first = state.lastSequence < 0;
        long previousSequence = state.lastSequence;
        long now = first ? timestamp : Math.max(timestamp, state.lastTimestamp);
        double seconds = first ? 0 : (now - state.lastTimestamp) / 1000.0;
        state.lastSequence = sequence;
        state.lastTimestamp = now;

        List<Track> tracks = state.tracks;
        float[][] predicted = new float[tracks.size()][];
        for (int t = 0; t < tracks.size(); t++) {
            BoxKalman.predict(tracks.get(t).kalman, seconds);
            predicted[t] = BoxKalman.box(tracks.get(t).kalman);
        }
        float[][] boxes = new float[detections.size()][];
        List<Integer> high = new ArrayList<>();
        List<Integer> low = new ArrayList<>();
        for (int d = 0; d < detections.size(); d++) {
            Detection det = detections.get(d);
            boxes[d] = det.box();
            if (det.score() >= options.highScore()) {
                high.add(d);
            } else if (det.score() >= options.lowScore()) {
                low.add(d);
            }
        }
        int[] trackOf = new int[detections.size()];
        Arrays.fill(trackOf, -1);
        boolean[] matched = new boolean[tracks.size()];
        List<Integer> all = new ArrayList<>();
        List<Integer> recent = new ArrayList<>();
        for (int t = 0; t < tracks.size(); t++) {
            all.add(t);
        }
        associate(tracks, predicted, all, detections, boxes, high, options.matchIou(), trackOf, matched);
        for (int t = 0; t < tracks.size(); t++) {
            Track track = tracks.get(t);
            if (!matched[t] && track.confirmed && track.lastSeenSeq == previousSequence) {
                recent.add(t);
            }
        }
        associate(tracks, predicted, recent, detections, boxes, low, options.lowMatchIou(), trackOf, matched);

        CameraZones zones = options.zones().forCamera(cameraId);
        List<ObjectEvent> events = new ArrayList<>();
        for (int d = 0; d < detections.size(); d++) {
            if (trackOf[d] >= 0) {
                Track track = tracks.get(trackOf[d]);
                observe(track, detections.get(d), boxes[d], sequence, now, state, cameraId, zones, events);
                if (track.confirmed) {
                    ids.set(d, track.id);
                }
            }
        }
        long maxAge = options.maxAge().toMillis();
        List<Track> survivors = new ArrayList<>(tracks.size());
        for (int t = 0; t < tracks.size(); t++) {
            Track track = tracks.get(t);
            if (matched[t] || (track.confirmed && now - track.lastSeenTs <= maxAge)) {
                survivors.add(track);
            } else if (track.confirmed) {
                disappear(track, cameraId, sequence, now, zones, events);
            }
        }
        tracks.clear();
        tracks.addAll(survivors);
        for (int d : high) {
            if (trackOf[d] < 0 && tracks.size() < options.maxTracks()) {
                Track track = new Track();
                track.kalman = BoxKalman.start(boxes[d]);
                track.firstSeenTs = now;
                track.firstSeenSeq = sequence;
                tracks.add(track);
                observe(track, detections.get(d), boxes[d], sequence, now, state, cameraId, zones, events);
                if (track.confirmed) {
                    ids.set(d, track.id);
                }
            }
        }
        return new TrackerResult(false, ids, events);
    }

    /**
     * Ends every track of a camera that went silent: its confirmed tracks disappear (leaving their zones) as of
     * the camera's last frame. The state keeps its last sequence and next id.
     */
    public List<ObjectEvent> expire(TrackerState state, String cameraId) {
        CameraZones zones = options.zones().forCamera(cameraId);
        List<ObjectEvent> events = new ArrayList<>();
        for (Iterator<Track> it = state.tracks.iterator(); it.hasNext(); ) {
            Track track = it.next();
            if (track.confirmed) {
                disappear(track, cameraId, state.lastSequence, state.lastTimestamp, zones, events);
            }
            it.remove();
        }
        return events;
    }

    private void associate(List<Track> tracks, float[][] predicted, List<Integer> candidates,
            List<Detection> detections, float[][] boxes, List<Integer> dets, float minIou, int[] trackOf,
            boolean[] matched) {
        int rows = candidates.size();
        int cols = dets.size();
        if (rows == 0 || cols == 0) {
            return;
        }
        double maxCost = 1 - minIou;
        double[] cost = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            Track track = tracks.get(candidates.get(r));
            String label = track.label();
            for (int c = 0; c < cols; c++) {
                int d = dets.get(c);
                double cst = 1 - Geometry.iou(predicted[candidates.get(r)], boxes[d])
                        + (detections.get(d).label().equals(label) ? 0 : options.classMismatchPenalty());
                cost[r * cols + c] = cst <= maxCost ? cst : FORBIDDEN;
            }
        }
        int[] assignment = Hungarian.assign(cost, rows, cols);
        for (int r = 0; r < rows; r++) {
            int c = assignment[r];
            if (c >= 0 && cost[r * cols + c] < FORBIDDEN) {
                trackOf[dets.get(c)] = candidates.get(r);
                matched[candidates.get(r)] = true;
            }
        }
    }

    /** A detection joins {@code track}: filter, history, votes, confirmation and the events it causes. */
    private void observe(Track track, Detection det, float[] box, long sequence, long now, TrackerState state,
            String cameraId, CameraZones zones, List<ObjectEvent> events) {
        float[] previousBox = track.lastBox;
        boolean wasConfirmed = track.confirmed;
        if (previousBox != null) {
            BoxKalman.update(track.kalman, box);
        }
        track.hits++;
        track.lastSeenTs = now;
        track.lastSeenSeq = sequence;
        track.lastBox = box;
        track.lastScore = det.score();
        track.vote(det.label());
        if (track.bestBox == null || det.score() > track.bestScore) {
            track.bestScore = det.score();
            track.bestBox = box;
            track.bestSeq = sequence;
            track.bestTs = now;
        }
        if (!track.confirmed && track.hits >= options.minHits()) {
            track.confirmed = true;
            track.id = state.nextId++;
        }
        if (!track.confirmed) {
            return;
        }
        List<ObjectEvent> zoneEvents = new ArrayList<>();
        boolean zoneChanged = moveInZones(track, cameraId, sequence, now, zones, zoneEvents);
        if (!wasConfirmed) {
            events.add(lifecycle(Type.APPEARED, track, cameraId, sequence, now, zones));
            track.lastReportTs = now;
        }
        events.addAll(zoneEvents);
        if (wasConfirmed) {
            // A crossing needs two sightings of a confirmed track: a tentative one may be a false positive.
            crossLines(track, previousBox, cameraId, sequence, now, zones, events);
            if (zoneChanged || (!options.updateInterval().isZero()
                    && now - track.lastReportTs >= options.updateInterval().toMillis())) {
                events.add(lifecycle(Type.UPDATED, track, cameraId, sequence, now, zones));
                track.lastReportTs = now;
            }
        }
    }

    private boolean moveInZones(Track track, String cameraId, long sequence, long now, CameraZones zones,
            List<ObjectEvent> events) {
        boolean changed = false;
        float x = footX(track.lastBox);
        float y = footY(track.lastBox);
        for (int z = 0; z < zones.zones().size(); z++) {
            boolean in = Geometry.inside(zones.zones().get(z).polygon(), x, y);
            if (in != track.inZone(z)) {
                String name = zones.zones().get(z).name();
                if (in) {
                    track.enterZone(z, now);
                    events.add(zoneEvent(Type.ENTERED, track, cameraId, sequence, now, name, null));
                } else {
                    track.leaveZone(z);
                    events.add(zoneEvent(Type.LEFT, track, cameraId, sequence, now, name, now - track.zoneSince[z]));
                }
                changed = true;
            }
        }
        return changed;
    }

    private static void crossLines(Track track, float[] previousBox, String cameraId, long sequence, long now,
            CameraZones zones, List<ObjectEvent> events) {
        for (Line line : zones.lines()) {
            int direction = Geometry.crossing(line.x1(), line.y1(), line.x2(), line.y2(), footX(previousBox),
                    footY(previousBox), footX(track.lastBox), footY(track.lastBox));
            if (direction != 0) {
                events.add(new ObjectEvent(Type.CROSSED, cameraId, track.id, track.label(), sequence, now,
                        track.lastBox, track.lastScore, null, null, null, null, null, null, null, line.name(),
                        direction > 0 ? "forward" : "backward"));
            }
        }
    }

    private static void disappear(Track track, String cameraId, long sequence, long now, CameraZones zones,
            List<ObjectEvent> events) {
        for (int z = 0; z < zones.zones().size(); z++) {
            if (track.inZone(z)) {
                track.leaveZone(z);
                events.add(zoneEvent(Type.LEFT, track, cameraId, sequence, now, zones.zones().get(z).name(),
                        track.lastSeenTs - track.zoneSince[z]));
            }
        }
        events.add(new ObjectEvent(Type.DISAPPEARED, cameraId, track.id, track.label(), sequence, now,
                track.lastBox, track.lastScore, track.firstSeenTs, track.lastSeenTs,
                track.lastSeenTs - track.firstSeenTs,
                new ObjectEvent.Best(track.bestScore, track.bestBox, track.bestSeq, track.bestTs),
                null, null, null, null, null));
    }

    private static ObjectEvent lifecycle(Type type, Track track, String cameraId, long sequence, long now,
            CameraZones zones) {
        List<String> inside = new ArrayList<>();
        for (int z = 0; z < zones.zones().size(); z++) {
            if (track.inZone(z)) {
                inside.add(zones.zones().get(z).name());
            }
        }
        return new ObjectEvent(type, cameraId, track.id, track.label(), sequence, now, track.lastBox,
                track.lastScore, track.firstSeenTs, track.lastSeenTs, track.lastSeenTs - track.firstSeenTs, null,
                inside, null, null, null, null);
    }

    private static ObjectEvent zoneEvent(Type type, Track track, String cameraId, long sequence, long now,
            String zone, Long dwellMillis) {
        return new ObjectEvent(type, cameraId, track.id, track.label(), sequence, now, track.lastBox,
                track.lastScore, null, null, null, null, null, zone, dwellMillis, null, null);
    }

    /** Where an object stands: the bottom centre of its box. */
    private static float footX(float[] box) {
        return (box[0] + box[2]) / 2;
    }

    private static float footY(float[] box) {
        return box[3];
    }
}
