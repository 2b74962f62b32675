package org.visionstream.operators.postprocess;

import java.util.Objects;

/** How RPN outputs become proposals; mirrors the manifest's {@code rpn} object. */
public record ProposalOptions(
        int preNmsTopK,
        int postNmsTopK,
        float nmsThreshold,
        float minSize,
        MinSizeRule minSizeRule,
        float scoreThreshold,
        Selection selection,
        boolean padProposals,
        BoxCoder boxCoder) {

    /** Which boxes survive the size test. */
    public enum MinSizeRule {
        /** {@code w > minSize && h > minSize} (detectron2). */
        GREATER,
        /** {@code w >= minSize && h >= minSize} (torchvision). */
        GREATER_OR_EQUAL,
        /** {@code w + 1 >= minSize && h + 1 >= minSize} (gluon-cv). */
        PLUS_ONE_GREATER_OR_EQUAL
    }

    public enum Selection {
        /** Top-k logits, then decode, clip, size and score filters, NMS (detectron2, torchvision). */
        TOPK_THEN_FILTER,
        /** Decode all, clip, drop invalid, then top-k of the rest, NMS (gluon-cv). */
        FILTER_THEN_TOPK
    }

    public ProposalOptions {
        Objects.requireNonNull(minSizeRule);
        Objects.requireNonNull(selection);
        Objects.requireNonNull(boxCoder);
        if (preNmsTopK <= 0 || postNmsTopK <= 0) {
            throw new IllegalArgumentException("top-k values must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@code scoreThreshold} defaults to NaN (none). */
    public static final class Builder {
        private int preNmsTopK;
        private int postNmsTopK;
        private float nmsThreshold;
        private float minSize;
        private MinSizeRule minSizeRule = MinSizeRule.GREATER;
        private float scoreThreshold = Float.NaN;
        private Selection selection = Selection.TOPK_THEN_FILTER;
        private boolean padProposals;
        private BoxCoder boxCoder;

        public Builder preNmsTopK(int v) { preNmsTopK = v; return this; }
        public Builder postNmsTopK(int v) { postNmsTopK = v; return this; }
        public Builder nmsThreshold(float v) { nmsThreshold = v; return this; }
        public Builder minSize(float v) { minSize = v; return this; }
        public Builder minSizeRule(MinSizeRule v) { minSizeRule = v; return this; }
        public Builder scoreThreshold(float v) { scoreThreshold = v; return this; }
        public Builder selection(Selection v) { selection = v; return this; }
        public Builder padProposals(boolean v) { padProposals = v; return this; }
        public Builder boxCoder(BoxCoder v) { boxCoder = v; return this; }

        public ProposalOptions build() {
            return new ProposalOptions(preNmsTopK, postNmsTopK, nmsThreshold, minSize, minSizeRule, scoreThreshold,
                    selection, padProposals, boxCoder);
        }
    }
}
