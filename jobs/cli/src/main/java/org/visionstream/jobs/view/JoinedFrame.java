package org.visionstream.jobs.view;

import org.visionstream.operators.events.DetectionEvent;

/**
 * A frame and its detection event, matched by camera id and sequence number.
 *
 * @param image the frame as it was published (JPEG or PNG bytes)
 * @param receivedMillis when the event reached this reader (epoch ms): capture -> event latency ends here
 */
record JoinedFrame(byte[] image, DetectionEvent event, long receivedMillis) {}
