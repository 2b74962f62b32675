package org.visionstream.operators.preprocess;

/**
 * A network input: {@code 3 x paddedHeight x paddedWidth} floats, channel-major, normalised; the image
 * content fills the top-left {@code plan.height() x plan.width()}, the rest is padding.
 */
public record PreprocessedImage(float[] chw, int paddedWidth, int paddedHeight, ResizePlan plan) {}
