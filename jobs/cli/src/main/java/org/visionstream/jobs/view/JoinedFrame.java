package org.visionstream.jobs.view;

import java.util.List;
import java.util.OptionalLong;
import org.visionstream.operators.events.DetectionEvent;
import org.visionstream.operators.events.TrackedDetectionEvent;

/**
 * A frame and its detection event, matched by camera id and sequence number.
 *
 * @param image the frame as it was published (JPEG or PNG bytes)
 * @param tracked the event with its detections' track ids (none from a job that does not track)
 * @param receivedMillis when the event reached this reader (epoch ms): capture -> event latency ends here
 */
record JoinedFrame(byte[] image, TrackedDetectionEvent tracked, long receivedMillis) {

    DetectionEvent event() {
        return tracked.event();
    }

    /** One per detection, as {@link DetectionPainter} takes them. */
    List<OptionalLong> trackIds() {
        return tracked.trackIds().stream().map(id -> id == null ? OptionalLong.empty() : OptionalLong.of(id)).toList();
    }
}
