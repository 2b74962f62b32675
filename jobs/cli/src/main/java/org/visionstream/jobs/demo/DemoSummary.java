package org.visionstream.jobs.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.visionstream.operators.events.DetectionEvent;

/** What the demo saw on the output topics, printed at the end. Not thread-safe. */
final class DemoSummary {

    private final Map<String, Integer> detectionsByLabel = new TreeMap<>();
    private final Map<String, Integer> deadLettersByReason = new TreeMap<>();
    private final List<Double> detectMillis = new ArrayList<>();
    private final List<Long> captureToEventMillis = new ArrayList<>();
    private final long startedAt;
    private int events;
    private int deadLetters;
    private long lastEventAt;

    /** @param startedAt when the producer started, epoch ms */
    DemoSummary(long startedAt) {
        this.startedAt = startedAt;
    }

    void event(DetectionEvent e, long receivedAt) {
        events++;
        lastEventAt = receivedAt;
        detectMillis.add(e.detectMillis());
        captureToEventMillis.add(receivedAt - e.captureTimestamp());
        e.detections().forEach(d -> detectionsByLabel.merge(d.label(), 1, Integer::sum));
    }

    void deadLetter(String reason) {
        deadLetters++;
        deadLettersByReason.merge(reason, 1, Integer::sum);
    }

    int events() {
        return events;
    }

    int accounted() {
        return events + deadLetters;
    }

    String format(long framesProduced, double produceSeconds, double totalSeconds) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%nframes produced   %d (%.1f fps from the video source in %.1f s)%n", framesProduced,
                produceSeconds > 0 ? framesProduced / produceSeconds : 0, produceSeconds));
        s.append(String.format("events            %d%n", events));
        s.append(String.format("dead letters      %d%s%n", deadLetters, deadLettersByReason.isEmpty() ? "" : " " + deadLettersByReason));
        s.append(String.format("unaccounted       %d%n", framesProduced - events - deadLetters));
        s.append(String.format("detections        %s%n", detectionsByLabel.isEmpty() ? "none" : detectionsByLabel));
        if (events > 0) {
            s.append(String.format("detector          median %.0f ms per frame%n", median(detectMillis)));
            s.append(String.format("capture -> event  median %.0f ms (with --realtime; includes waiting for the checkpoint that commits it)%n",
                    median(captureToEventMillis.stream().map(Long::doubleValue).toList())));
            double span = (lastEventAt - startedAt) / 1000.0;
            s.append(String.format("pipeline          %.2f frames/s from the first frame sent to the last event received (%.1f s); "
                    + "whole demo %.1f s%n", span > 0 ? events / span : 0, span, totalSeconds));
        }
        return s.toString();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
