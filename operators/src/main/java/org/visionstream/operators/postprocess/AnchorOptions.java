package org.visionstream.operators.postprocess;

import java.util.Objects;

/**
 * How cell anchors are made and laid over a feature map; mirrors the manifest's {@code anchors} object.
 * Cell anchors number {@code sizes.length * aspectRatios.length} per feature-map position.
 */
public record AnchorOptions(AnchorStyle style, int stride, float[] sizes, float[] aspectRatios, float offset) {

    public AnchorOptions {
        Objects.requireNonNull(style);
        if (stride <= 0 || sizes.length == 0 || aspectRatios.length == 0) {
            throw new IllegalArgumentException("anchors need a positive stride, sizes and aspect ratios");
        }
    }

    public int anchorsPerLocation() {
        return sizes.length * aspectRatios.length;
    }
}
