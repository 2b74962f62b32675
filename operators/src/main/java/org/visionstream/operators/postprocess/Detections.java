package org.visionstream.operators.postprocess;

/**
 * Decoded detections of one image in network-input pixels, best first: {@code boxes} holds
 * {@code 4 * count} floats, {@code classIndices} the 0-based foreground class of each.
 */
public record Detections(int count, float[] boxes, float[] scores, int[] classIndices) {}
