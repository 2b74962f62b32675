package org.visionstream.operators.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;

/**
 * What happened to a tracked object of a camera: one shape for every kind, with the fields a kind does
 * not use left out of the JSON. JSON form: {@link ObjectEventJson}; schema {@code object-event.schema.json}
 * beside this class.
 *
 * @param sequence the frame that caused the event (for {@code disappeared}: the last frame the object was seen in)
 * @param timestamp capture time of that frame (for {@code disappeared} after the camera went silent: when the
 *     track expired), epoch ms
 * @param box the object's box in that frame, {@code [x1, y1, x2, y2]} in original-image pixels
 * @param firstSeen capture time the object was first detected
 * @param lastSeen capture time it was last detected
 * @param best the frame with its highest score (a thumbnail for the object): {@code disappeared} only
 * @param zones the zones it is in ({@code appeared}, {@code updated})
 * @param zone the zone entered or left
 * @param dwellMillis time spent in the zone ({@code left})
 * @param line the line crossed, {@code direction} {@code forward} or {@code backward}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ObjectEvent(
        Type type,
        String cameraId,
        long trackId,
        String label,
        long sequence,
        long timestamp,
        float[] box,
        Float score,
        Long firstSeen,
        Long lastSeen,
        Long durationMillis,
        Best best,
        List<String> zones,
        String zone,
        Long dwellMillis,
        String line,
        String direction)
        implements Serializable {

    public enum Type {
        @JsonProperty("appeared") APPEARED,
        @JsonProperty("updated") UPDATED,
        @JsonProperty("disappeared") DISAPPEARED,
        @JsonProperty("entered") ENTERED,
        @JsonProperty("left") LEFT,
        @JsonProperty("crossed") CROSSED
    }

    /** The frame where the object had its highest score. */
    public record Best(float score, float[] box, long sequence, long timestamp) implements Serializable {}
}
