package org.visionstream.operators.events;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A detection event with the track of each detection: {@code trackIds.get(i)} belongs to
 * {@code event.detections().get(i)}, null while the detection is in no confirmed track. In JSON each
 * detection object gains a {@code trackId} ({@link DetectionEventJson#toBytes(TrackedDetectionEvent)}); a
 * consumer that does not know the field reads the same event as before.
 */
public record TrackedDetectionEvent(DetectionEvent event, List<Long> trackIds) implements Serializable {

    public TrackedDetectionEvent {
        if (trackIds.size() != event.detections().size()) {
            throw new IllegalArgumentException(trackIds.size() + " track ids for " + event.detections().size()
                    + " detections of camera " + event.cameraId() + " #" + event.sequence());
        }
        trackIds = Collections.unmodifiableList(new ArrayList<>(trackIds)); // List.copyOf refuses the nulls
    }

    /** The event as detected, before tracking: every id null. */
    public static TrackedDetectionEvent untracked(DetectionEvent event) {
        return new TrackedDetectionEvent(event, Collections.nCopies(event.detections().size(), null));
    }
}
