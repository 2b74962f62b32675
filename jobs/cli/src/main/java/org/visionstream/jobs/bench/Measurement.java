package org.visionstream.jobs.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.visionstream.jobs.bench.EventCollector.Arrived;
import org.visionstream.operators.events.DetectionEvent;

/**
 * One row of the pipeline benchmark.
 *
 * @param id short name the ratios refer to, e.g. {@code a} or {@code c p2 drain}
 * @param description what was run
 * @param framesPerSecond throughput
 * @param cpuMillisPerFrame CPU time (user + system) of the process doing the row's work per frame, NaN if unknown:
 *     on a shared machine it grows with the load too, but moves much less from row to row than the wall-clock rates
 * @param latency per-frame latency as the row defines it ({@code latencyKind})
 * @param endToEnd capture to read_committed arrival, or null where it means nothing (no live camera)
 * @param note anything needed to read the row (offered rate, commit wait), or empty
 */
record Measurement(String id, String description, double framesPerSecond, double cpuMillisPerFrame, Latency latency,
        String latencyKind, Latency endToEnd, String note) {

    Measurement {
        Objects.requireNonNull(id);
        Objects.requireNonNull(latency);
        Objects.requireNonNull(note);
    }

    /** p50 and p99 of a set of latencies in milliseconds (nearest rank, so both are observed values). */
    record Latency(int count, double p50, double p99) {

        static Latency of(double[] millis) {
            if (millis.length == 0) {
                throw new IllegalArgumentException("no latencies measured");
            }
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return new Latency(sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.99));
        }

        /** Nearest-rank percentile of sorted values: the smallest value with at least {@code q} of them at or below it. */
        static double percentile(double[] sorted, double q) {
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(rank, sorted.length) - 1)];
        }
    }

    /**
     * A job run from its events, leaving out the warm-up frames (sequence below {@code warmup}): frames per second
     * between the first and the last detection of a timed frame, latency from taking the frame off Kafka to
     * detecting it (decode, queues and detector in the job), and, for a live camera, capture to arrival at the
     * read_committed consumer. Without a live camera the frames were captured before the job started, so only the
     * commit wait (detection to arrival) is noted, with the decode and detector times the events carry, and how
     * busy the detectors were: their summed time over {@code parallelism} times the span. Below 100 % the
     * detectors waited for frames; at 100 % the job is as fast as its detectors are in it.
     *
     * <p>The rate and the busy share count every frame detected in that span, warm-up frames too: a drained
     * topic's partitions are read in chunks, so one camera's last warm-up frames can be detected after another's
     * first timed ones, and leaving them out would count their detector time as idle.
     */
    static Measurement ofEvents(String id, String description, List<Arrived> arrived, long warmup, int parallelism,
            boolean live, double cpuMillisPerFrame, String note) {
        List<Arrived> timed = arrived.stream().filter(a -> a.event().sequence() >= warmup).toList();
        long first = timed.stream().mapToLong(a -> a.event().detectTimestamp()).min().orElseThrow();
        long last = timed.stream().mapToLong(a -> a.event().detectTimestamp()).max().orElseThrow();
        List<DetectionEvent> span = arrived.stream().map(Arrived::event)
                .filter(e -> e.detectTimestamp() >= first && e.detectTimestamp() <= last)
                .toList();
        long[] detected = span.stream().mapToLong(DetectionEvent::detectTimestamp).toArray();
        double[] inJob = timed.stream()
                .mapToDouble(a -> a.event().detectTimestamp() - a.event().ingestTimestamp())
                .toArray();
        double[] endToEnd = timed.stream()
                .mapToDouble(a -> a.arrivalMillis() - a.event().captureTimestamp())
                .toArray();
        Latency commitWait = Latency.of(timed.stream()
                .mapToDouble(a -> a.arrivalMillis() - a.event().detectTimestamp())
                .toArray());
        Latency decode = Latency.of(timed.stream().mapToDouble(a -> a.event().decodeMillis()).toArray());
        Latency detect = Latency.of(timed.stream().mapToDouble(a -> a.event().detectMillis()).toArray());
        double spanMean = span.stream().mapToDouble(DetectionEvent::detectMillis).average().orElseThrow();
        // as in rate(), the first completion's work lies before the span
        double busy = spanMean * (span.size() - 1) / (last - first) / parallelism;
        String where = String.format(Locale.ROOT, "p50 decode %.1f ms, detector %.1f ms (mean %.1f, busy %.0f %%); "
                        + "commit wait p50 %.0f ms, p99 %.0f ms",
                decode.p50(), detect.p50(), spanMean, 100 * busy, commitWait.p50(), commitWait.p99());
        if (span.size() > timed.size()) {
            where += String.format(Locale.ROOT, "; %d warm-up frame(s) detected among the timed ones", span.size() - timed.size());
        }
        return new Measurement(id, description, rate(detected), cpuMillisPerFrame, Latency.of(inJob),
                "Kafka source -> detected",
                live ? Latency.of(endToEnd) : null, note.isEmpty() ? where : note + "; " + where);
    }

    /** Frames over the wall time they took in one loop. */
    static double rate(int frames, long nanos) {
        return frames / (nanos / 1e9);
    }

    /**
     * Frames per second of a stream of completion times: the intervals between the first and the last one hold
     * {@code n - 1} frames (the first one's work was done before it).
     */
    static double rate(long[] completionMillis) {
        if (completionMillis.length < 2) {
            throw new IllegalArgumentException("a rate needs at least two completions, got " + completionMillis.length);
        }
        long first = Arrays.stream(completionMillis).min().getAsLong();
        long last = Arrays.stream(completionMillis).max().getAsLong();
        if (last == first) {
            throw new IllegalArgumentException("all " + completionMillis.length + " completions in the same millisecond");
        }
        return (completionMillis.length - 1) * 1000.0 / (last - first);
    }
}
