package org.visionstream.operators.track;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How a camera's tracker associates detections and when tracks are born, reported and die. Built with
 * {@link #builder()}; every limit of the tracker is declared here.
 *
 * @param minHits detections a new track needs (in consecutive frames) before it is confirmed, gets an id in
 *     the events and is reported as appeared; 1 confirms at first sight
 * @param maxAge how long a confirmed track survives unseen (capture time) before it disappears
 * @param highScore detections at or above it are associated first and may start tracks; below it (ByteTrack's
 *     second pass) they only extend tracks seen in the previous frame
 * @param lowScore detections below it are ignored
 * @param matchIou minimum IoU of a predicted box and a detection in the first pass
 * @param lowMatchIou minimum IoU in the second pass (stricter: low scores are often background)
 * @param classMismatchPenalty added to the cost {@code 1 - IoU} when the detection's class differs from the
 *     track's majority class: a bicycle track does not take the rider's box when the bicycle is missed, yet a
 *     class flip (bicycle / motorcycle) on a box that clearly continues the track keeps the track
 * @param updateInterval at most this often an {@code updated} event per track (zone changes are events of
 *     their own); {@link Duration#ZERO} never
 * @param maxTracks live tracks per camera; further detections start no track (bounds the state)
 * @param zones zones and lines per camera
 */
public record TrackerOptions(
        int minHits,
        Duration maxAge,
        float highScore,
        float lowScore,
        float matchIou,
        float lowMatchIou,
        float classMismatchPenalty,
        Duration updateInterval,
        int maxTracks,
        ZoneOptions zones)
        implements Serializable {

    /** The state counts its tracks in two bytes. */
    public static final int MAX_TRACKS = 65_535;

    public TrackerOptions {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(updateInterval, "updateInterval");
        Objects.requireNonNull(zones, "zones");
        if (minHits < 1) {
            throw new IllegalArgumentException("tracking min-hits must be >= 1, not " + minHits);
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("tracking max-age must be positive, not " + maxAge);
        }
        if (!(lowScore >= 0 && lowScore <= highScore && highScore <= 1)) {
            throw new IllegalArgumentException("tracking scores must satisfy 0 <= low (" + lowScore
                    + ") <= high (" + highScore + ") <= 1");
        }
        if (!(matchIou > 0 && matchIou <= 1 && lowMatchIou > 0 && lowMatchIou <= 1)) {
            throw new IllegalArgumentException("tracking IoU thresholds must be in (0, 1]");
        }
        if (!(classMismatchPenalty >= 0)) {
            throw new IllegalArgumentException("tracking class-mismatch penalty must be >= 0");
        }
        if (updateInterval.isNegative()) {
            throw new IllegalArgumentException("tracking update-interval must not be negative");
        }
        if (maxTracks < 1 || maxTracks > MAX_TRACKS) {
            throw new IllegalArgumentException("tracking max-tracks must be in 1.." + MAX_TRACKS + ", not " + maxTracks);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().minHits(minHits).maxAge(maxAge).highScore(highScore).lowScore(lowScore).matchIou(matchIou)
                .lowMatchIou(lowMatchIou).classMismatchPenalty(classMismatchPenalty).updateInterval(updateInterval)
                .maxTracks(maxTracks).zones(zones);
    }

    /**
     * Defaults: 3 hits, 2 s unseen, scores 0.6 / 0.1, IoU 0.2 / 0.5 (ByteTrack's), class penalty 0.3,
     * updates every 10 s, 100 tracks, no zones.
     */
    public static final class Builder {
        private int minHits = 3;
        private Duration maxAge = Duration.ofSeconds(2);
        private float highScore = 0.6f;
        private float lowScore = 0.1f;
        private float matchIou = 0.2f;
        private float lowMatchIou = 0.5f;
        private float classMismatchPenalty = 0.3f;
        private Duration updateInterval = Duration.ofSeconds(10);
        private int maxTracks = 100;
        private ZoneOptions zones = ZoneOptions.NONE;

        public Builder minHits(int v) { minHits = v; return this; }
        public Builder maxAge(Duration v) { maxAge = v; return this; }
        public Builder highScore(float v) { highScore = v; return this; }
        public Builder lowScore(float v) { lowScore = v; return this; }
        public Builder matchIou(float v) { matchIou = v; return this; }
        public Builder lowMatchIou(float v) { lowMatchIou = v; return this; }
        public Builder classMismatchPenalty(float v) { classMismatchPenalty = v; return this; }
        public Builder updateInterval(Duration v) { updateInterval = v; return this; }
        public Builder maxTracks(int v) { maxTracks = v; return this; }
        public Builder zones(ZoneOptions v) { zones = v; return this; }

        public TrackerOptions build() {
            return new TrackerOptions(minHits, maxAge, highScore, lowScore, matchIou, lowMatchIou,
                    classMismatchPenalty, updateInterval, maxTracks, zones);
        }
    }
}
