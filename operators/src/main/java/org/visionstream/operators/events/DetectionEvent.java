package org.visionstream.operators.events;

import java.io.Serializable;
import java.util.List;
import org.visionstream.operators.detect.Detection;

/**
 * The result of one frame, published whether or not anything was detected, so that consumers can tell
 * "nothing seen" from "not processed". JSON form: {@link DetectionEventJson}; schema:
 * {@code detection-event.schema.json} beside this class.
 *
 * @param captureTimestamp when the camera took the frame (epoch ms, from the frame's header)
 * @param ingestTimestamp when the job took the frame off Kafka
 * @param detectTimestamp when the detector finished it
 * @param decodeMillis time spent decoding
 * @param detectMillis time spent in the detector (preprocessing, graphs and post-processing)
 * @param detections the detector's detections, boxes in original-image pixels
 */
public record DetectionEvent(
        String cameraId,
        long sequence,
        long captureTimestamp,
        long ingestTimestamp,
        long detectTimestamp,
        double decodeMillis,
        double detectMillis,
        Model model,
        Image image,
        Source source,
        List<Detection> detections)
        implements Serializable {

    public DetectionEvent {
        detections = List.copyOf(detections);
    }

    /** The model bundle that produced the detections. */
    public record Model(String name, String version) implements Serializable {}

    /** The original image size; boxes are in its pixels. */
    public record Image(int width, int height) implements Serializable {}

    /** The frame record the event was made from. */
    public record Source(String topic, int partition, long offset) implements Serializable {}
}
