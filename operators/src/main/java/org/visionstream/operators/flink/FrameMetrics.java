package org.visionstream.operators.flink;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The pipeline's metrics, under the operator's group {@code visionstream}: counters {@code framesIn},
 * {@code eventsOut}, {@code deadLetters}; histograms of per-stage latency in milliseconds; the detect
 * operator's provider gauges {@code gpu} and {@code executionProvider} and batch histograms
 * {@code batchSize} and {@code batchQueueLatencyMs}; the order operator's counters
 * {@code orderSkippedSequences}, {@code orderLateEvents} and {@code orderRestarts}. Every frame read is either an
 * event or a dead letter, so {@code framesIn = eventsOut + deadLetters} over the job.
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
}
