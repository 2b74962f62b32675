package org.visionstream.operators.preprocess;

import java.io.Serializable;

/**
 * A decoded image: 8-bit pixels, interleaved BGR (OpenCV's order), row-major, {@code width * height * 3}
 * bytes. The array is not copied: treat it as immutable once built.
 */
public record DecodedImage(int width, int height, byte[] bgr) implements Serializable {

    public DecodedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (bgr.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "expected " + ((long) width * height * 3) + " BGR bytes for " + width + "x" + height
                            + ", got " + bgr.length);
        }
    }
}
