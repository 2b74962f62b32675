package org.visionstream.operators.preprocess;

import java.io.Serializable;

/**
 * A decoded image: 8-bit pixels, interleaved BGR (OpenCV's order), row-major, {@code width * height * 3}
 * bytes. The array is not copied: treat it as immutable once built.
 *
 * <p>The pixels may be a reduced decode of a larger image ({@link ImageDecoder} with a resize rule):
 * {@code originalWidth x originalHeight} is then the image's own size, which the network-input size and
 * the detections' pixel coordinates refer to; otherwise both sizes are the same.
 */
public record DecodedImage(int width, int height, byte[] bgr, int originalWidth, int originalHeight)
        implements Serializable {

    public DecodedImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (bgr.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "expected " + ((long) width * height * 3) + " BGR bytes for " + width + "x" + height
                            + ", got " + bgr.length);
        }
        if (originalWidth < width || originalHeight < height) {
            throw new IllegalArgumentException("the original size " + originalWidth + "x" + originalHeight
                    + " is smaller than the pixels' " + width + "x" + height);
        }
    }

    /** Pixels at the image's own size. */
    public DecodedImage(int width, int height, byte[] bgr) {
        this(width, height, bgr, width, height);
    }
}
