package org.visionstream.jobs.view;

import java.util.List;
import org.visionstream.operators.detect.Detection;
import org.visionstream.operators.events.DetectionEvent;

/**
 * A frame and its detection event, matched by camera id and sequence number.
 *
 * @param image the frame as it was published (JPEG or PNG bytes)
 * @param receivedMillis when the event reached this reader (epoch ms): capture -> event latency ends here
 */
record JoinedFrame(byte[] image, DetectionEvent event, long receivedMillis) {

    /** The event's detections in the detector's own type, which {@link DetectionPainter} draws. */
    public List<Detection> detections() {
        return event.detections().stream()
                .map(d -> new Detection(d.label(), d.classId(), d.score(), d.box()[0], d.box()[1], d.box()[2], d.box()[3]))
                .toList();
    }
}
