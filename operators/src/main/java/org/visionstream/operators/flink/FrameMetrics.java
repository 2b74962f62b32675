package org.visionstream.operators.flink;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The pipeline's metrics, under the operator's group {@code visionstream}: counters {@code framesIn},
 * {@code eventsOut}, {@code deadLetters} (also per reason, in the key-value group {@code reason});
 * histograms of per-stage latency in milliseconds; the detect operator's provider gauges {@code gpu} and
 * {@code executionProvider} and batch histograms {@code batchSize}, {@code batchQueueLatencyMs} and {@code detectWaitMs}; the
 * order operator's counters {@code orderSkippedSequences}, {@code orderLateEvents} and
 * {@code orderRestarts}; the decode operator's {@code framesSkippedStale} (frames too old to analyse,
 * whose events it emits and counts in its own {@code eventsOut}). Every frame read is either an event or
 * a dead letter, so {@code framesIn = eventsOut + deadLetters} over the job. README, section Metrics, lists their
 * Prometheus names.
 */
final class FrameMetrics {

    private static final int HISTOGRAM_WINDOW = 1024;

    private FrameMetrics() {}

    static MetricGroup group(MetricGroup operatorGroup) {
        return operatorGroup.addGroup("visionstream");
    }

    static Histogram latency(MetricGroup group, String name) {
        return group.histogram(name, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    /**
     * {@code deadLetters} in total and per reason: the reason is a key-value group, which label-based
     * reporters (Prometheus) turn into a {@code reason} label. Reasons are enum names, so the labels stay few.
     */
    static final class DeadLetterCounter {
        private final MetricGroup group;
        private final Counter total;
        private final Map<String, Counter> byReason = new HashMap<>();

        DeadLetterCounter(MetricGroup group) {
            this.group = group;
            this.total = group.counter("deadLetters");
        }

        void inc(String reason) {
            total.inc();
            byReason.computeIfAbsent(reason, r -> group.addGroup("reason", r).counter("deadLetters")).inc();
        }
    }
}
