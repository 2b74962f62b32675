package org.visionstream.operators.detect;

import java.io.Serializable;

/**
 * One detected object: the class as the bundle names it, the dataset id the bundle maps it to
 * (COCO-91 ids for the D2Go bundle), the score, and the box in original-image pixels.
 */
public record Detection(String label, int classId, float score, float x1, float y1, float x2, float y2)
        implements Serializable {

    /** The box as {@code [x1, y1, x2, y2]}. */
    public float[] box() {
        return new float[] {x1, y1, x2, y2};
    }
}
