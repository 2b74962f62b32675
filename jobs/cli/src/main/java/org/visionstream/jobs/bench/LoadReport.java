package org.visionstream.jobs.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.visionstream.jobs.bench.EventCollector.Arrived;
import org.visionstream.jobs.bench.Measurement.Latency;

/**
 * The load test's arithmetic and tables: per-window rates, lag and latency of one load from what was sampled while
 * it ran, its summary with the lag-growth rule, and the highest sustained load of a sweep.
 */
final class LoadReport {

    /**
     * What the benchmark saw at one moment of a load.
     *
     * @param atMillis when (epoch ms)
     * @param sent timed frames in the frames topic (Kafka's end offsets, less the warm-up frames)
     * @param received timed events the read_committed consumer had received
     * @param kafkaLag frames in the topic beyond the job's committed offsets (end offsets minus the group's committed
     *     offsets: what the job had not yet read and checkpointed)
     */
    record Sample(long atMillis, long sent, long received, long kafkaLag) {

        /** Frames sent whose events had not arrived: the lag a downstream consumer sees. */
        long lag() {
            return sent - received;
        }
    }

    /**
     * One window of a load; rates over the window, lags at its end, latency (capture to read_committed arrival) of
     * the events that arrived in it, null if none did.
     */
    record Window(long fromSecond, long toSecond, double offeredPerSecond, double eventsPerSecond, long lag,
            long kafkaLag, Latency latency) {}

    /**
     * One load's result.
     *
     * @param offeredPerSecond timed frames sent per second of the load
     * @param sustainedPerSecond the job's rate on them: events between the first and last detection of those that
     *     arrived during the load, over that time
     * @param latency capture to read_committed arrival of every timed event that arrived during the load
     * @param lagGrowthSeconds mean lag of the last third of the samples minus that of the first third, in seconds of
     *     offered frames
     * @param toleranceSeconds the growth above which the job counts as falling behind
     * @param note how the cameras kept their pace
     */
    record Summary(Load load, double offeredPerSecond, double sustainedPerSecond, Latency latency,
            double lagGrowthSeconds, double toleranceSeconds, List<Window> windows, String note) {

        boolean lagGrew() {
            return lagGrowthSeconds > toleranceSeconds;
        }
    }

    private LoadReport() {}

    /**
     * Windows of {@code windowMillis} from {@code startMillis}, the last one possibly shorter: rates from the samples
     * taken at (or just after) the window's bounds, latency of the events that arrived between those samples.
     */
    static List<Window> windows(long startMillis, long windowMillis, List<Sample> samples, List<Arrived> timedEvents) {
        long endMillis = samples.get(samples.size() - 1).atMillis();
        List<Window> windows = new ArrayList<>();
        for (long from = startMillis; from < endMillis; from += windowMillis) {
            Sample a = sampleAt(samples, from);
            Sample b = sampleAt(samples, Math.min(from + windowMillis, endMillis));
            if (b.atMillis() <= a.atMillis()) {
                break;
            }
            double seconds = (b.atMillis() - a.atMillis()) / 1000.0;
            double[] latencies = timedEvents.stream()
                    .filter(e -> e.arrivalMillis() > a.atMillis() && e.arrivalMillis() <= b.atMillis())
                    .mapToDouble(e -> e.arrivalMillis() - e.event().captureTimestamp())
                    .toArray();
            windows.add(new Window((from - startMillis) / 1000, (Math.min(from + windowMillis, endMillis) - startMillis + 500) / 1000,
                    (b.sent() - a.sent()) / seconds, (b.received() - a.received()) / seconds, b.lag(), b.kafkaLag(),
                    latencies.length == 0 ? null : Latency.of(latencies)));
        }
        return windows;
    }

    /** The first sample taken at or after {@code millis} (the benchmark samples right after each bound), or the last. */
    private static Sample sampleAt(List<Sample> samples, long millis) {
        return samples.stream().filter(s -> s.atMillis() >= millis).findFirst().orElse(samples.get(samples.size() - 1));
    }

    /**
     * How much the lag grew over a load, in seconds of offered frames: the mean lag of the last third of the samples
     * minus that of the first third. A job that keeps up has a steady lag (the frames between capture and commit:
     * the offered rate times the latency, in a saw-tooth of one checkpoint interval that a third's mean smooths);
     * one that falls behind by {@code d} frames/s adds about {@code d * 2/3} of the load's duration.
     */
    static double lagGrowthSeconds(List<Sample> samples, double offeredPerSecond) {
        if (samples.size() < 3) {
            throw new IllegalArgumentException("the lag rule needs at least 3 samples, got " + samples.size());
        }
        int third = samples.size() / 3;
        double first = samples.subList(0, third).stream().mapToLong(Sample::lag).average().orElseThrow();
        double last = samples.subList(samples.size() - third, samples.size()).stream().mapToLong(Sample::lag).average()
                .orElseThrow();
        return (last - first) / offeredPerSecond;
    }

    /**
     * A load's summary from its samples (the first at its start, with nothing sent) and the timed events that arrived
     * during it.
     */
    static Summary summarize(Load load, long startMillis, long windowMillis, List<Sample> samples,
            List<Arrived> timedEvents, double toleranceSeconds, String note) {
        Sample last = samples.get(samples.size() - 1);
        double offered = last.sent() * 1000.0 / (last.atMillis() - startMillis);
        long[] detected = timedEvents.stream().mapToLong(a -> a.event().detectTimestamp()).toArray();
        double sustained = detected.length < 2 ? 0 : Measurement.rate(detected);
        Latency latency = timedEvents.isEmpty() ? null : Latency.of(timedEvents.stream()
                .mapToDouble(a -> a.arrivalMillis() - a.event().captureTimestamp())
                .toArray());
        return new Summary(load, offered, sustained, latency, lagGrowthSeconds(samples, offered), toleranceSeconds,
                windows(startMillis, windowMillis, samples, timedEvents), note);
    }

    /**
     * The sweep's answer: of the loads whose lag did not grow, the one with the most frames per second offered (on a
     * tie, the one with more cameras); empty if none.
     */
    static Optional<Summary> highestSustained(List<Summary> summaries) {
        return summaries.stream()
                .filter(s -> !s.lagGrew())
                .max(Comparator.comparingDouble((Summary s) -> s.load().offered()).thenComparingInt(s -> s.load().cameras()));
    }

    /** One load's window table. */
    static String formatWindows(Summary s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "load %s: %d camera(s), %.1f frames/s offered; %s%n", s.load(),
                s.load().cameras(), s.load().offered(), s.note()));
        out.append(String.format(Locale.ROOT, "%-10s %10s %10s %11s %10s %9s %9s%n", "window s", "offered/s", "events/s",
                "lag frames", "kafka lag", "p50 ms", "p99 ms"));
        for (Window w : s.windows()) {
            out.append(String.format(Locale.ROOT, "%-10s %10.1f %10.1f %11d %10s %9s %9s%n", w.fromSecond() + "-" + w.toSecond(),
                    w.offeredPerSecond(), w.eventsPerSecond(), w.lag(), w.kafkaLag() < 0 ? "-" : Long.toString(w.kafkaLag()),
                    w.latency() == null ? "-" : millis(w.latency().p50()), w.latency() == null ? "-" : millis(w.latency().p99())));
        }
        return out.toString();
    }

    /** The summary table, one row per load, and the sweep's answer. */
    static String formatSummary(List<Summary> summaries) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-8s %10s %12s %9s %9s %12s  %s%n", "load", "offered/s", "sustained/s",
                "p50 ms", "p99 ms", "lag growth s", "lag grew"));
        for (Summary s : summaries) {
            out.append(String.format(Locale.ROOT, "%-8s %10.1f %12.1f %9s %9s %+12.2f  %s%n", s.load(),
                    s.offeredPerSecond(), s.sustainedPerSecond(),
                    s.latency() == null ? "-" : millis(s.latency().p50()), s.latency() == null ? "-" : millis(s.latency().p99()),
                    s.lagGrowthSeconds(), s.lagGrew() ? "yes" : "no"));
        }
        Optional<Summary> best = highestSustained(summaries);
        out.append(best.map(s -> String.format(Locale.ROOT, "highest sustained load: %s (%.1f frames/s offered, %.1f "
                        + "sustained, p50 %s ms, p99 %s ms)%n", s.load(), s.load().offered(), s.sustainedPerSecond(),
                        s.latency() == null ? "-" : millis(s.latency().p50()), s.latency() == null ? "-" : millis(s.latency().p99())))
                .orElse("highest sustained load: none; the lag grew at every load\n"));
        return out.toString();
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.0f", ms);
    }
}
