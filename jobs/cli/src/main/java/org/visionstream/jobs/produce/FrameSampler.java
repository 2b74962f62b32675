package org.visionstream.jobs.produce;

/**
 * Picks frames at a target rate by their timestamps, not by counting, so variable-rate streams and
 * dropped frames still give the target rate. Time is cut into slots of 1/fps from the first frame; the
 * first frame of each slot is kept. Keeping slots aligned to the first frame (rather than to the last
 * kept one) makes a 12.5 fps video give exactly 5 fps on average instead of 12.5/3. Not thread-safe.
 */
public final class FrameSampler {

    /**
     * Timestamps converted from a container's time base can land a microsecond before a slot boundary;
     * this slack keeps such a frame in the slot it belongs to.
     */
    private static final long SLACK_MICROS = 1_000;

    private final double slotMicros;
    private long origin;
    private long lastTimestamp;
    private long lastSlot = -1;

    /** @param fps the target rate; 0 keeps every frame */
    public FrameSampler(double fps) {
        if (!(fps >= 0 && Double.isFinite(fps))) {
            throw new IllegalArgumentException("fps must be >= 0, got " + fps);
        }
        this.slotMicros = fps == 0 ? 0 : 1_000_000 / fps;
    }

    /** Whether to keep the frame with this timestamp (microseconds); call once per decoded frame, in order. */
    public boolean keep(long timestampMicros) {
        if (slotMicros == 0) {
            return true;
        }
        if (lastSlot < 0 || timestampMicros < lastTimestamp) {
            // the first frame, or a stream that restarted its clock: start a new grid here
            origin = timestampMicros;
            lastSlot = -1;
        }
        lastTimestamp = timestampMicros;
        long slot = (long) Math.floor((timestampMicros - origin + SLACK_MICROS) / slotMicros);
        if (slot > lastSlot) {
            lastSlot = slot;
            return true;
        }
        return false;
    }
}
