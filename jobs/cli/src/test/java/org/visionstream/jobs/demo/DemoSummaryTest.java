package org.visionstream.jobs.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.DetectionEvent;

/** A skipped frame's event is an event, says so, and is left out of the detector's time. */
class DemoSummaryTest {

    @Test
    void aSkippedFrameIsAnEventPrintedAsSkippedAndNotADetectorTime() {
        DemoSummary summary = new DemoSummary(0);
        summary.event(event(1, 40, List.of(new Detection("car", 3, 0.9f, 1, 2, 3, 4)), null), 1_000);
        DetectionEvent.Skipped stale = new DetectionEvent.Skipped(DetectionEvent.Skipped.Reason.STALE, 12_345);
        summary.event(event(2, 0, List.of(), stale), 2_000);
        summary.event(event(3, 60, List.of(), null), 3_000);

        assertEquals(3, summary.events());
        assertEquals(3, summary.accounted());
        String text = summary.format(3, 1, 3);
        assertTrue(text.contains("events            3 (1 skipped as stale"), text);
        assertTrue(text.contains("unaccounted       0"), text);
        assertTrue(text.contains("detector          median 60 ms per frame"), "the analysed frames' 40 and 60 ms: " + text);
        assertEquals("skipped (stale 12.3 s)", DemoSummary.describe(stale, ""));
        assertEquals("nothing", DemoSummary.describe(null, ""));
        assertEquals("car 0.90", DemoSummary.describe(null, "car 0.90"));
    }

    private static DetectionEvent event(long sequence, double detectMillis, List<Detection> detections,
            DetectionEvent.Skipped skipped) {
        return new DetectionEvent("demo-camera", sequence, 0, 0, 0, 0, detectMillis, new DetectionEvent.Model("m", "1"),
                new DetectionEvent.Image(480, 270), new DetectionEvent.Source("frames", 0, sequence), detections, skipped);
    }
}
