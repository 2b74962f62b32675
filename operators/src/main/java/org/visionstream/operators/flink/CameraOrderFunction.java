package org.visionstream.operators.flink;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.visionstream.operators.events.DetectionEvent;

/**
 * Puts each camera's events back in sequence order after the frames were spread over the detector
 * subtasks. Keyed by camera id; input 1 is the events, input 2 the sequences that will never have an
 * event because their frame became a {@code DECODE} or {@code MODEL} dead letter, so that a dead letter
 * does not stall its camera.
 *
 * <p>Events wait in keyed state until every smaller sequence has been seen; state and timers are part of
 * the checkpoint, so exactly-once holds. Nothing is ever dropped; the wait is bounded:
 * <ul>
 *   <li>a missing sequence (a frame that never came, or a {@code HEADERS} dead letter, whose sequence
 *       cannot be trusted) is waited for at most {@code maxWait} of processing time, or until
 *       {@code maxPending} events or rejected sequences of the camera wait behind it; then it is skipped and counted
 *       ({@code orderSkippedSequences});
 *   <li>where a camera starts (a new camera, or the first frames after the job starts without state) is
 *       not known: its first events wait {@code maxWait} (or {@code maxPending} events), then the
 *       smallest waiting sequence starts the camera; a camera whose sequence 0 has come starts there at once;
 *   <li>an event behind the expected sequence by at most {@code maxPending} came too late to be put in
 *       order (its gap was skipped, or a duplicate frame): it is emitted at once and counted
 *       ({@code orderLateEvents});
 *   <li>an event further behind means the camera restarted its numbering (e.g. at 0): the events still
 *       waiting are emitted in order, and the camera starts again as a new one ({@code orderRestarts}).
 * </ul>
 *
 * <p>A camera that sends nothing (no event, no rejected frame) for {@code stateTtl} of processing time
 * loses its state (its next sequence, and anything still waiting, which is emitted in order first), so
 * that cameras that went away do not hold state forever: one processing-time timer per camera, moved on
 * lazily. A camera that comes back after that starts as a new one (its first events wait as above).
 */
public final class CameraOrderFunction extends KeyedCoProcessFunction<String, DetectionEvent, CameraOrderFunction.Rejected, DetectionEvent> {

    private static final long serialVersionUID = 1L;

    /** A frame of {@code cameraId} with this sequence that became a dead letter after its headers were read. */
    public record Rejected(String cameraId, long sequence) implements Serializable {}

    /** Where the decode and detect operators announce the sequences of their dead letters. */
    public static final OutputTag<Rejected> REJECTED = new OutputTag<>("rejected-sequences", TypeInformation.of(Rejected.class));

    /** Frames of one camera spread over the subtasks come back within a batch or two: 1 s is ample on CPU. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(1);

    /** Events of a camera that may wait behind a gap: far more than subtasks times batch size. */
    public static final int DEFAULT_MAX_PENDING = 256;

    /**
     * A camera silent this long is forgotten: long beyond a network outage worth waiting for in order, and
     * a few bytes per silent camera until then.
     */
    public static final Duration DEFAULT_STATE_TTL = Duration.ofMinutes(10);

    private final long maxWaitMillis;
    private final int maxPending;
    private final long stateTtlMillis;

    /** The next sequence to emit; null until the camera's start is known. */
    private transient ValueState<Long> next;
    /** Waiting events by sequence, and rejected sequences not yet reached. */
    private transient MapState<Long, DetectionEvent> pending;
    private transient MapState<Long, Boolean> rejected;
    /** Entries of both maps: MapState has no cheap size. */
    private transient ValueState<Integer> pendingCount;
    private transient ValueState<Long> timer;
    /** Processing time of the camera's last input, and when its expiry timer is due. */
    private transient ValueState<Long> lastInputAt;
    private transient ValueState<Long> expiryTimer;
    private transient Counter skipped;
    private transient Counter late;
    private transient Counter restarts;

    /**
     * @param maxWait how long a missing sequence (or a new camera's start) is waited for
     * @param maxPending how many events or rejected sequences of a camera may wait behind a gap
     * @param stateTtl a camera silent this long loses its state; more than {@code maxWait}
     */
    public CameraOrderFunction(Duration maxWait, int maxPending, Duration stateTtl) {
        checkTimeouts(maxWait, stateTtl);
        if (maxPending < 1) {
            throw new IllegalArgumentException("the pending events of a camera must be >= 1, got " + maxPending);
        }
        this.maxWaitMillis = maxWait.toMillis();
        this.maxPending = maxPending;
        this.stateTtlMillis = stateTtl.toMillis();
    }

    /** A camera's state must outlive the wait for its gaps (or waiting events would be flushed unordered). */
    public static void checkTimeouts(Duration maxWait, Duration stateTtl) {
        if (maxWait.isNegative() || stateTtl.compareTo(maxWait) <= 0) {
            throw new IllegalArgumentException("the order wait (order.max-wait.ms, " + maxWait.toMillis()
                    + " ms) must be >= 0 and below the order state TTL (order.state-ttl.ms, " + stateTtl.toMillis() + " ms)");
        }
    }

    @Override
    public void open(OpenContext context) {
        next = getRuntimeContext().getState(new ValueStateDescriptor<>("next-sequence", Types.LONG));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-events", Types.LONG,
                TypeInformation.of(DetectionEvent.class)));
        rejected = getRuntimeContext().getMapState(new MapStateDescriptor<>("rejected-sequences", Types.LONG, Types.BOOLEAN));
        pendingCount = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-count", Types.INT));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("gap-timer", Types.LONG));
        lastInputAt = getRuntimeContext().getState(new ValueStateDescriptor<>("last-input-at", Types.LONG));
        expiryTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("expiry-timer", Types.LONG));
        MetricGroup group = FrameMetrics.group(getRuntimeContext().getMetricGroup());
        skipped = group.counter("orderSkippedSequences");
        late = group.counter("orderLateEvents");
        restarts = group.counter("orderRestarts");
    }

    @Override
    public void processElement1(DetectionEvent event, Context ctx, Collector<DetectionEvent> out) throws Exception {
        touch(ctx);
        long sequence = event.sequence();
        if (behind(sequence, ctx, out)) {
            late.inc();
            out.collect(event);
            return;
        }
        if (pending.contains(sequence)) {
            late.inc(); // the same camera#sequence twice (a duplicated frame): both are events, the second unordered
            out.collect(event);
            return;
        }
        pending.put(sequence, event);
        pendingCount.update(count() + 1);
        release(ctx, out);
    }

    @Override
    public void processElement2(Rejected frame, Context ctx, Collector<DetectionEvent> out) throws Exception {
        touch(ctx);
        long sequence = frame.sequence();
        if (!behind(sequence, ctx, out) && !rejected.contains(sequence)) {
            rejected.put(sequence, true);
            pendingCount.update(count() + 1);
            release(ctx, out);
        }
    }

    /** Whether {@code sequence} is already past; a restarted camera is reset first, so it never is then. */
    private boolean behind(long sequence, Context ctx, Collector<DetectionEvent> out) throws Exception {
        Long expected = next.value();
        if (expected == null || sequence >= expected) {
            return false;
        }
        if (expected - sequence <= maxPending) {
            return true;
        }
        restarts.inc();
        while (count() > 0) {
            skipTo(smallestWaiting(), out);
        }
        next.clear();
        cancelTimer(ctx);
        return false;
    }

    /** Emits what is in order; skips the gap when too many events wait behind it; (re)arms the gap timer. */
    private void release(Context ctx, Collector<DetectionEvent> out) throws Exception {
        Long before = next.value();
        if (before == null && (pending.contains(0L) || rejected.contains(0L))) {
            before = 0L; // nothing comes before frame-seq 0: a camera that starts there need not wait to know it
        }
        if (before != null) {
            drain(before, out);
        }
        while (count() >= maxPending) {
            skipTo(smallestWaiting(), out);
        }
        Long after = next.value();
        if (count() == 0) {
            cancelTimer(ctx);
        } else if (timer.value() == null || !Objects.equals(after, before)) {
            // A new gap (or the first one): it gets the whole wait.
            cancelTimer(ctx);
            long due = ctx.timerService().currentProcessingTime() + maxWaitMillis;
            ctx.timerService().registerProcessingTimeTimer(due);
            timer.update(due);
        }
    }

    /** Notes that the camera is alive; arms its expiry timer when it has none (it is moved on when it fires). */
    private void touch(Context ctx) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        lastInputAt.update(now);
        if (expiryTimer.value() == null) {
            armExpiry(ctx, now + stateTtlMillis);
        }
    }

    private void armExpiry(Context ctx, long due) throws Exception {
        ctx.timerService().registerProcessingTimeTimer(due);
        expiryTimer.update(due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DetectionEvent> out) throws Exception {
        // One timer may stand for both kinds when they fall on the same millisecond.
        Long gap = timer.value();
        if (gap != null && gap == timestamp) {
            timer.clear();
            if (count() > 0) {
                skipTo(smallestWaiting(), out);
                release(ctx, out);
            }
        }
        Long expiry = expiryTimer.value();
        if (expiry != null && expiry == timestamp) {
            long silentFor = timestamp - lastInputAt.value();
            if (silentFor < stateTtlMillis) {
                armExpiry(ctx, timestamp + stateTtlMillis - silentFor);
            } else {
                expire(ctx, out);
            }
        }
    }

    /** Forgets a silent camera, emitting in order whatever still waits (nothing, unless the TTL is near the wait). */
    private void expire(Context ctx, Collector<DetectionEvent> out) throws Exception {
        while (count() > 0) {
            skipTo(smallestWaiting(), out);
        }
        cancelTimer(ctx);
        next.clear();
        pending.clear();
        rejected.clear();
        pendingCount.clear();
        lastInputAt.clear();
        expiryTimer.clear();
    }

    /** Gives up on the sequences before {@code sequence} (counting them unless the camera is just starting). */
    private void skipTo(long sequence, Collector<DetectionEvent> out) throws Exception {
        Long expected = next.value();
        if (expected != null) {
            skipped.inc(sequence - expected);
        }
        drain(sequence, out);
    }

    /** Emits the events from {@code from} on while they follow each other; remembers where it stopped. */
    private void drain(long from, Collector<DetectionEvent> out) throws Exception {
        long sequence = from;
        int waiting = count();
        while (true) {
            DetectionEvent event = pending.get(sequence);
            if (event != null) {
                out.collect(event);
                pending.remove(sequence);
                waiting--;
            } else if (rejected.contains(sequence)) {
                rejected.remove(sequence);
                waiting--;
            } else {
                break;
            }
            sequence++;
        }
        next.update(sequence);
        pendingCount.update(waiting);
    }

    /** The smallest sequence waiting, event or rejected frame (only called when something waits). */
    private long smallestWaiting() throws Exception {
        long smallest = Long.MAX_VALUE;
        for (Long sequence : pending.keys()) {
            smallest = Math.min(smallest, sequence);
        }
        for (Long sequence : rejected.keys()) {
            smallest = Math.min(smallest, sequence);
        }
        return smallest;
    }

    private int count() throws Exception {
        Integer n = pendingCount.value();
        return n == null ? 0 : n;
    }

    private void cancelTimer(Context ctx) throws Exception {
        Long due = timer.value();
        if (due != null) {
            if (!due.equals(expiryTimer.value())) { // the same timer would also be the expiry's
                ctx.timerService().deleteProcessingTimeTimer(due);
            }
            timer.clear();
        }
    }
}
