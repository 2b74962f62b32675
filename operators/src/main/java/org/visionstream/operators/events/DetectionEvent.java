package org.visionstream.operators.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
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
 * @param skipped why the frame was not analysed (its detections are then empty and say nothing about what
 *     it shows); null, and absent from the JSON, for every analysed frame
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
        List<Detection> detections,
        @JsonInclude(JsonInclude.Include.NON_NULL) Skipped skipped)
        implements Serializable {

    public DetectionEvent {
        detections = List.copyOf(detections);
        if (skipped != null && !detections.isEmpty()) {
            throw new IllegalArgumentException("a skipped frame has no detections: camera " + cameraId + " #" + sequence);
        }
    }

    /** An analysed frame's event. */
    public DetectionEvent(String cameraId, long sequence, long captureTimestamp, long ingestTimestamp,
            long detectTimestamp, double decodeMillis, double detectMillis, Model model, Image image, Source source,
            List<Detection> detections) {
        this(cameraId, sequence, captureTimestamp, ingestTimestamp, detectTimestamp, decodeMillis, detectMillis, model,
                image, source, detections, null);
    }

    /** Whether the frame was analysed: false when it was skipped, and its empty detections mean "not looked at". */
    public boolean analysed() {
        return skipped == null;
    }

    /** The model bundle that produced the detections. */
    public record Model(String name, String version) implements Serializable {}

    /** The original image size; boxes are in its pixels. */
    public record Image(int width, int height) implements Serializable {}

    /** The frame record the event was made from. */
    public record Source(String topic, int partition, long offset) implements Serializable {}

    /**
     * Why a frame was not analysed.
     *
     * @param ageMillis how old the frame was when it was skipped: the job's clock minus its capture time
     */
    public record Skipped(Reason reason, long ageMillis) implements Serializable {

        /** For people, e.g. {@code skipped (stale 12.3 s)}. */
        public String describe() {
            return String.format(Locale.ROOT, "skipped (%s %.1f s)", reason.name().toLowerCase(Locale.ROOT), ageMillis / 1000.0);
        }

        public enum Reason {
            /** Older than the job's maximum frame age when the model would have got it (a backlog, a burst). */
            @JsonProperty("stale") STALE
        }
    }
}
