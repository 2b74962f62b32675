package org.visionstream.operators.postprocess;

/**
 * What {@link DetectionDecoder} keeps of one image, as arrays in network-input pixels, best first:
 * {@code boxes} holds {@code 4 * count} floats, {@code classIndices} the 0-based foreground class of
 * each. An intermediate of the detector's translator, which maps it to {@code detect.Detection}, the one
 * detection type callers see.
 */
public record DecodedBoxes(int count, float[] boxes, float[] scores, int[] classIndices) {}
