package org.visionstream.jobs.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.ObjectEvent;

/** What the demo saw on the output topics, printed at the end. Not thread-safe. */
final class DemoSummary {

    private final Map<String, Integer> detectionsByLabel = new TreeMap<>();
    private final Map<String, Integer> deadLettersByReason = new TreeMap<>();
    /** Per track: its appeared event, replaced by its disappeared event. */
    private final Map<Long, ObjectEvent> tracks = new TreeMap<>();
    private final Map<Long, Long> appearedAt = new TreeMap<>();
    private final Map<String, Integer> zoneCounts = new TreeMap<>();
    private final List<Double> detectMillis = new ArrayList<>();
    private final List<Long> captureToEventMillis = new ArrayList<>();
    private final List<Long> captureToIngestMillis = new ArrayList<>();
    private final List<Long> ingestToDetectedMillis = new ArrayList<>();
    private final List<Long> detectedToEventMillis = new ArrayList<>();
    private final long startedAt;
    private int events;
    private int skipped;
    private int deadLetters;
    private long lastEventAt;

    /** @param startedAt when the producer started, epoch ms */
    DemoSummary(long startedAt) {
        this.startedAt = startedAt;
    }

    void event(DetectionEvent e, long receivedAt) {
        events++;
        lastEventAt = receivedAt;
        if (!e.analysed()) {
            skipped++;
        } else {
            detectMillis.add(e.detectMillis());
        }
        captureToEventMillis.add(receivedAt - e.captureTimestamp());
        captureToIngestMillis.add(e.ingestTimestamp() - e.captureTimestamp());
        ingestToDetectedMillis.add(e.detectTimestamp() - e.ingestTimestamp());
        detectedToEventMillis.add(receivedAt - e.detectTimestamp());
        e.detections().forEach(d -> detectionsByLabel.merge(d.label(), 1, Integer::sum));
    }

    void object(ObjectEvent o) {
        switch (o.type()) {
            case APPEARED -> {
                tracks.put(o.trackId(), o);
                appearedAt.put(o.trackId(), o.sequence());
            }
            case DISAPPEARED -> tracks.put(o.trackId(), o);
            case ENTERED, LEFT -> zoneCounts.merge("zone " + o.zone() + " " + o.type().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
            case CROSSED -> zoneCounts.merge("line " + o.line() + " " + o.direction(), 1, Integer::sum);
            case UPDATED -> { }
        }
    }

    /** Tracks that appeared and have not disappeared yet. */
    int liveTracks() {
        return (int) tracks.values().stream().filter(o -> o.type() == ObjectEvent.Type.APPEARED).count();
    }

    /** What an event's line says it saw: its detections, "nothing", or why the frame was not analysed. */
    static String describe(DetectionEvent.Skipped skipped, String detections) {
        return skipped != null ? skipped.describe() : detections.isEmpty() ? "nothing" : detections;
    }

    /** One line per object event, as the demo prints it. */
    static String describe(ObjectEvent o) {
        String what = switch (o.type()) {
            case APPEARED -> "appeared";
            case UPDATED -> "updated, in " + o.zones();
            case DISAPPEARED -> String.format("disappeared after %.1f s, best %.2f at #%d [%.0f,%.0f,%.0f,%.0f]",
                    o.durationMillis() / 1000.0, o.best().score(), o.best().sequence(), o.best().box()[0], o.best().box()[1],
                    o.best().box()[2], o.best().box()[3]);
            case ENTERED -> "entered " + o.zone();
            case LEFT -> String.format("left %s after %.1f s", o.zone(), o.dwellMillis() / 1000.0);
            case CROSSED -> "crossed " + o.line() + " " + o.direction();
        };
        return String.format("%s #%d  OBJECT %s #%d %s", o.cameraId(), o.sequence(), o.label(), o.trackId(), what);
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
        s.append(String.format("events            %d%s%n", events,
                skipped == 0 ? "" : " (" + skipped + " skipped as stale: not analysed, see --max-frame-age-ms)"));
        s.append(String.format("dead letters      %d%s%n", deadLetters, deadLettersByReason.isEmpty() ? "" : " " + deadLettersByReason));
        s.append(String.format("unaccounted       %d%n", framesProduced - events - deadLetters));
        s.append(String.format("detections        %s%n", detectionsByLabel.isEmpty() ? "none" : detectionsByLabel));
        s.append(String.format("objects           %d tracked%s%n", tracks.size(), tracks.isEmpty() ? "" : ":"));
        for (ObjectEvent o : tracks.values()) {
            s.append(String.format("  #%-3d %-10s appeared at #%d, ", o.trackId(), o.label(), appearedAt.get(o.trackId())));
            s.append(o.type() == ObjectEvent.Type.DISAPPEARED
                    ? String.format("seen for %.1f s, best %.2f at #%d, gone at #%d%n", o.durationMillis() / 1000.0,
                            o.best().score(), o.best().sequence(), o.sequence())
                    : String.format("still visible%n"));
        }
        if (!zoneCounts.isEmpty()) {
            s.append(String.format("zones and lines   %s%n", zoneCounts));
        }
        if (!detectMillis.isEmpty()) {
            s.append(String.format("detector          median %.0f ms per frame%n", median(detectMillis)));
        }
        if (events > 0) {
            s.append(String.format("capture -> event  median %.0f ms (with --realtime; includes waiting for the checkpoint that commits it)%n",
                    medianMillis(captureToEventMillis)));
            s.append(String.format("  step medians    %.0f ms to the job's source (producer, Kafka, any backlog), %.0f ms to detected "
                    + "(decode, queue, detector), %.0f ms to the consumer (order, tracking, sink, commit)%n",
                    medianMillis(captureToIngestMillis), medianMillis(ingestToDetectedMillis), medianMillis(detectedToEventMillis)));
            double span = (lastEventAt - startedAt) / 1000.0;
            s.append(String.format("pipeline          %.2f frames/s from the first frame sent to the last event received (%.1f s); "
                    + "whole demo %.1f s%n", span > 0 ? events / span : 0, span, totalSeconds));
        }
        return s.toString();
    }

    private static double medianMillis(List<Long> values) {
        return median(values.stream().map(Long::doubleValue).toList());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
