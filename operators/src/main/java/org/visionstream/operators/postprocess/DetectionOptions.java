package org.visionstream.operators.postprocess;

import java.util.Objects;

/** How head outputs become detections; mirrors the manifest's {@code head} object. */
public record DetectionOptions(
        int numClasses,
        int backgroundIndex,
        ScoreActivation scoreActivation,
        boolean classSpecificBoxes,
        boolean deltasHaveBackgroundSlot,
        BoxCoder boxCoder,
        boolean clipBoxes,
        float scoreThreshold,
        float nmsThreshold,
        int detectionsPerImage,
        float minBoxSize) {

    public enum ScoreActivation {
        SOFTMAX,
        SIGMOID
    }

    public DetectionOptions {
        Objects.requireNonNull(scoreActivation);
        Objects.requireNonNull(boxCoder);
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive");
        }
        if (scoreActivation == ScoreActivation.SOFTMAX && (backgroundIndex < 0 || backgroundIndex > numClasses)) {
            throw new IllegalArgumentException("backgroundIndex must be in [0, numClasses] for softmax");
        }
    }

    /** Score columns in the head output: the classes plus background for softmax. */
    public int scoreColumns() {
        return scoreActivation == ScoreActivation.SOFTMAX ? numClasses + 1 : numClasses;
    }

    /** Box-delta slots per row of the head output: one shared box, or one per class (plus background). */
    public int boxSlots() {
        return !classSpecificBoxes ? 1 : deltasHaveBackgroundSlot ? numClasses + 1 : numClasses;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private int numClasses;
        private int backgroundIndex;
        private ScoreActivation scoreActivation = ScoreActivation.SOFTMAX;
        private boolean classSpecificBoxes = true;
        private boolean deltasHaveBackgroundSlot;
        private BoxCoder boxCoder;
        private boolean clipBoxes = true;
        private float scoreThreshold;
        private float nmsThreshold;
        private int detectionsPerImage;
        private float minBoxSize;

        public Builder numClasses(int v) { numClasses = v; return this; }
        public Builder backgroundIndex(int v) { backgroundIndex = v; return this; }
        public Builder scoreActivation(ScoreActivation v) { scoreActivation = v; return this; }
        public Builder classSpecificBoxes(boolean v) { classSpecificBoxes = v; return this; }
        public Builder deltasHaveBackgroundSlot(boolean v) { deltasHaveBackgroundSlot = v; return this; }
        public Builder boxCoder(BoxCoder v) { boxCoder = v; return this; }
        public Builder clipBoxes(boolean v) { clipBoxes = v; return this; }
        public Builder scoreThreshold(float v) { scoreThreshold = v; return this; }
        public Builder nmsThreshold(float v) { nmsThreshold = v; return this; }
        public Builder detectionsPerImage(int v) { detectionsPerImage = v; return this; }
        public Builder minBoxSize(float v) { minBoxSize = v; return this; }

        public DetectionOptions build() {
            return new DetectionOptions(numClasses, backgroundIndex, scoreActivation, classSpecificBoxes,
                    deltasHaveBackgroundSlot, boxCoder, clipBoxes, scoreThreshold, nmsThreshold, detectionsPerImage,
                    minBoxSize);
        }
    }
}
