package org.visionstream.operators.detect;

import java.io.Serializable;
import java.util.List;

/** The detections of one image, with the image's original size. */
public record FrameDetections(int width, int height, List<Detection> detections) implements Serializable {

    public FrameDetections {
        detections = List.copyOf(detections);
    }
}
