package org.visionstream.operators.detect;

/**
 * Nanoseconds spent per stage, accumulated over {@link Detector} calls; lets a benchmark show the
 * Java share of the frame time next to the ONNX Runtime graph time. Not thread-safe.
 */
public final class StageTimes {

    public enum Stage {
        PREPROCESS,
        BACKBONE,
        RPN,
        PROPOSALS,
        HEAD,
        DETECTIONS
    }

    private final long[] nanos = new long[Stage.values().length];

    void add(Stage stage, long elapsedNanos) {
        nanos[stage.ordinal()] += elapsedNanos;
    }

    public long nanos(Stage stage) {
        return nanos[stage.ordinal()];
    }

    /** Time inside ONNX Runtime: the three graphs. */
    public long graphNanos() {
        return nanos(Stage.BACKBONE) + nanos(Stage.RPN) + nanos(Stage.HEAD);
    }

    /** Every stage together: the detector's whole time. */
    public long totalNanos() {
        return java.util.Arrays.stream(nanos).sum();
    }

    /** Time in the Java post-processing between and after the graphs. */
    public long postprocessNanos() {
        return nanos(Stage.PROPOSALS) + nanos(Stage.DETECTIONS);
    }

    public void reset() {
        java.util.Arrays.fill(nanos, 0L);
    }
}
