package org.visionstream.operators.detect;

import java.util.Locale;
import org.visionstream.operators.bundle.ModelManifest;
import org.visionstream.operators.postprocess.AnchorGenerator;
import org.visionstream.operators.postprocess.AnchorStyle;
import org.visionstream.operators.postprocess.BoxCoder;
import org.visionstream.operators.postprocess.DetectionOptions;
import org.visionstream.operators.postprocess.ProposalOptions;

/**
 * Builds the post-processing stages from a manifest: the one place that maps its names to them. Public for
 * the benchmarks, which select real proposals once to feed the bare graphs.
 */
public final class PostprocessFactory {

    private PostprocessFactory() {}

    public static AnchorGenerator anchors(ModelManifest.Anchors a) {
        return new AnchorGenerator(
                AnchorStyle.valueOf(a.style().toUpperCase(Locale.ROOT)), a.stride(), a.sizes(), a.aspectRatios(), a.offset());
    }

    public static ProposalOptions proposals(ModelManifest.Rpn rpn) {
        return ProposalOptions.builder()
                .preNmsTopK(rpn.preNmsTopK())
                .postNmsTopK(rpn.postNmsTopK())
                .nmsThreshold(rpn.nmsThreshold())
                .minSize(rpn.minSize())
                .minSizeRule(ProposalOptions.MinSizeRule.valueOf(constant(rpn.minSizeRule())))
                .scoreThreshold(rpn.scoreThreshold())
                .selection(ProposalOptions.Selection.valueOf(constant(rpn.selection())))
                .padProposals(rpn.padProposals())
                .boxCoder(boxCoder(rpn.boxCoder()))
                .build();
    }

    static DetectionOptions detections(ModelManifest.Head head, int numClasses) {
        return DetectionOptions.builder()
                .numClasses(numClasses)
                .backgroundIndex(head.backgroundIndex())
                .scoreActivation(DetectionOptions.ScoreActivation.valueOf(constant(head.scoreActivation())))
                .classSpecificBoxes(head.classSpecificBoxes())
                .deltasHaveBackgroundSlot(head.deltasHaveBackgroundSlot())
                .boxCoder(boxCoder(head.boxCoder()))
                .clipBoxes(head.clipBoxes())
                .scoreThreshold(head.scoreThreshold())
                .nmsThreshold(head.nmsThreshold())
                .detectionsPerImage(head.detectionsPerImage())
                .minBoxSize(head.minBoxSize())
                .build();
    }

    private static BoxCoder boxCoder(ModelManifest.BoxCoderSpec spec) {
        return new BoxCoder(spec.weights(), BoxCoder.Mode.valueOf(constant(spec.mode())), spec.clamp());
    }

    private static String constant(String manifestName) {
        return manifestName.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
