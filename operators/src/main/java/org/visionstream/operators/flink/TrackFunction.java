package org.visionstream.operators.flink;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.ObjectEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;
import org.visionstream.operators.track.Tracker;
import org.visionstream.operators.track.TrackerOptions;
import org.visionstream.operators.track.TrackerResult;
import org.visionstream.operators.track.TrackerState;

/**
 * Tracks the objects of each camera (keyed by camera id): every detection event goes on with a track id per
 * detection; lifecycle and zone events go to {@link ObjectEvents#TAG}. The camera's {@link TrackerState} is
 * Flink state (its bytes, so that heap and RocksDB backends hold the same few kilobytes and a checkpoint
 * restores exactly the tracks that produced the events it committed).
 *
 * <p>A camera's frames must arrive in sequence order; a frame not newer than the last one tracked (a
 * duplicate, or out of order) passes through with null track ids and is counted in {@code framesStale}.
 * A frame that was not analysed ({@link DetectionEvent#skipped()}) passes through untouched: its empty
 * detections are not "nothing seen", so no track misses it or ends because of it, and the camera is not
 * silent (its idle timer waits on).
 * A camera that sends nothing for {@code idleTimeout} (processing time, counted from the operator's start
 * at the earliest, so a restore does not end every track) loses its tracks: they disappear as of its last
 * frame. Its state then expires after {@code stateTtl} without frames, and a camera that comes back after
 * that starts its track ids at 1 again.
 *
 * <p>Metrics (group {@code visionstream}): counters {@code framesTracked}, {@code framesStale}, {@code appeared},
 * {@code disappeared}, and per zone and line {@code zone.<name>.entered}, {@code zone.<name>.left},
 * {@code line.<name>.forward}, {@code line.<name>.backward}, summed over the subtask's cameras since it started.
 */
public final class TrackFunction extends KeyedProcessFunction<String, DetectionEvent, TrackedDetectionEvent> {

    private static final long serialVersionUID = 1L;

    private final TrackerOptions options;
    private final Duration idleTimeout;
    private final Duration stateTtl;

    private transient Tracker tracker;
    private transient ValueState<byte[]> trackerState;
    /** Processing time of the camera's last frame, for the idle timer. */
    private transient ValueState<Long> lastFrameAt;
    private transient long openedAt;
    private transient MetricGroup metrics;
    private transient Counter framesTracked;
    private transient Counter framesStale;
    private transient Map<String, Counter> eventCounters;

    public TrackFunction(TrackerOptions options, Duration idleTimeout, Duration stateTtl) {
        checkTimeouts(idleTimeout, stateTtl);
        this.options = options;
        this.idleTimeout = idleTimeout;
        this.stateTtl = stateTtl;
    }

    /** The idle timeout must end a camera's tracks before its state expires (or they would vanish without events). */
    public static void checkTimeouts(Duration idleTimeout, Duration stateTtl) {
        if (idleTimeout.isNegative() || idleTimeout.isZero() || stateTtl.compareTo(idleTimeout) <= 0) {
            throw new IllegalArgumentException("the tracking idle timeout (tracking.idle-timeout.ms, " + idleTimeout.toMillis()
                    + " ms) must be positive and below the state TTL (tracking.state-ttl.ms, " + stateTtl.toMillis() + " ms)");
        }
    }

    @Override
    public void open(OpenContext context) {
        tracker = new Tracker(options);
        StateTtlConfig ttl = StateTtlConfig.newBuilder(stateTtl).updateTtlOnCreateAndWrite().neverReturnExpired().build();
        ValueStateDescriptor<byte[]> trackerDescriptor =
                new ValueStateDescriptor<>("tracker", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        trackerDescriptor.enableTimeToLive(ttl);
        trackerState = getRuntimeContext().getState(trackerDescriptor);
        ValueStateDescriptor<Long> lastFrameDescriptor = new ValueStateDescriptor<>("last-frame-at", Types.LONG);
        lastFrameDescriptor.enableTimeToLive(ttl);
        lastFrameAt = getRuntimeContext().getState(lastFrameDescriptor);
        openedAt = System.currentTimeMillis();
        metrics = FrameMetrics.group(getRuntimeContext().getMetricGroup());
        framesTracked = metrics.counter("framesTracked");
        framesStale = metrics.counter("framesStale");
        eventCounters = new HashMap<>();
    }

    @Override
    public void processElement(DetectionEvent event, Context ctx, Collector<TrackedDetectionEvent> out) throws Exception {
        if (!event.analysed()) {
            out.collect(TrackedDetectionEvent.untracked(event));
            if (lastFrameAt.value() != null) {
                lastFrameAt.update(ctx.timerService().currentProcessingTime());
            }
            return;
        }
        byte[] bytes = trackerState.value();
        TrackerState state = bytes == null ? new TrackerState() : TrackerState.fromBytes(bytes);
        TrackerResult result = tracker.update(state, event.cameraId(), event.sequence(), event.captureTimestamp(),
                event.detections());
        out.collect(new TrackedDetectionEvent(event, result.trackIds()));
        if (result.stale()) {
            framesStale.inc();
            return;
        }
        framesTracked.inc();
        emit(result.events(), ctx);
        trackerState.update(state.toBytes());
        long now = ctx.timerService().currentProcessingTime();
        lastFrameAt.update(now);
        if (state.liveTracks() > 0) {
            registerIdleTimer(ctx, now);
        }
    }

    private void registerIdleTimer(Context ctx, long silentSince) {
        // Rounded up to the second: a camera at 25 fps registers one timer per second, not 25.
        long second = 1000;
        ctx.timerService().registerProcessingTimeTimer((silentSince + idleTimeout.toMillis() + second - 1) / second * second);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrackedDetectionEvent> out) throws Exception {
        Long last = lastFrameAt.value();
        byte[] bytes = trackerState.value();
        if (last == null || bytes == null) {
            return;
        }
        long silentSince = Math.max(last, openedAt);
        if (timestamp - silentSince < idleTimeout.toMillis()) {
            // A newer frame moved the deadline (its own timer is due later), or the job restarted: wait again.
            registerIdleTimer(ctx, silentSince);
            return;
        }
        TrackerState state = TrackerState.fromBytes(bytes);
        if (state.liveTracks() > 0) {
            emit(tracker.expire(state, ctx.getCurrentKey()), ctx);
            trackerState.update(state.toBytes());
        }
    }

    private void emit(List<ObjectEvent> events, Context ctx) {
        for (ObjectEvent e : events) {
            ctx.output(ObjectEvents.TAG, e);
            Counter counter = switch (e.type()) {
                case APPEARED -> eventCounters.computeIfAbsent("appeared", metrics::counter);
                case DISAPPEARED -> eventCounters.computeIfAbsent("disappeared", metrics::counter);
                case ENTERED, LEFT -> eventCounters.computeIfAbsent("zone\0" + e.zone() + "\0" + e.type(),
                        k -> metrics.addGroup("zone").addGroup(e.zone()).counter(e.type() == ObjectEvent.Type.ENTERED ? "entered" : "left"));
                case CROSSED -> eventCounters.computeIfAbsent("line\0" + e.line() + "\0" + e.direction(),
                        k -> metrics.addGroup("line").addGroup(e.line()).counter(e.direction()));
                case UPDATED -> null;
            };
            if (counter != null) {
                counter.inc();
            }
        }
    }
}
