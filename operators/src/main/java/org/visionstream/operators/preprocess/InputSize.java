package org.visionstream.operators.preprocess;

/**
 * The network-input size of one image: its resize plan and the sides after padding to the bundle's size
 * divisibility. Images of one padded size can share a batch.
 */
public record InputSize(ResizePlan plan, int paddedWidth, int paddedHeight) {

    /** Floats of the network input, {@code 3 x paddedHeight x paddedWidth}. */
    public int floats() {
        return 3 * paddedHeight * paddedWidth;
    }
}
