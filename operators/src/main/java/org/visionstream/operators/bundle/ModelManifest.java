package org.visionstream.operators.bundle;

import java.util.List;

/**
 * The typed content of a bundle's {@code model.json}: every convention the runtime follows. Field
 * meanings are documented in {@code model-assets/README.md}; {@link ManifestReader} builds it.
 */
public record ModelManifest(
        String name,
        String version,
        String sourceSha256,
        Preprocess preprocess,
        Anchors anchors,
        Rpn rpn,
        Head head,
        Output output,
        List<ClassInfo> classes) {

    public ModelManifest {
        classes = List.copyOf(classes);
    }

    public enum ColorOrder { RGB, BGR }

    public enum ResizeMethod { BILINEAR, BILINEAR_ALIGN_CORNERS, OPENCV_LINEAR, OPENCV_CUBIC }

    public enum SizeRounding { FLOOR, ROUND_HALF_EVEN }

    public enum BoxScaling { UNIFORM, PER_AXIS, HEIGHT }

    public record Resize(int shortSide, int maxSize, ResizeMethod method, SizeRounding sizeRounding) {}

    public record Preprocess(
            ColorOrder colorOrder,
            float pixelScale,
            float[] mean,
            float[] std,
            Resize resize,
            int sizeDivisibility,
            float padValue) {}

    public record Anchors(String style, int stride, float[] sizes, float[] aspectRatios, float offset) {}

    /** weights, mode ("divide" or "multiply"), clamp (NaN = none). */
    public record BoxCoderSpec(float[] weights, String mode, float clamp) {}

    public record Rpn(
            BoxCoderSpec boxCoder,
            int preNmsTopK,
            int postNmsTopK,
            float nmsThreshold,
            float minSize,
            String minSizeRule,
            float scoreThreshold,
            String selection,
            boolean padProposals) {}

    public record RoiAlign(int outputHeight, int outputWidth, float spatialScale, int samplingRatio, boolean aligned) {}

    public record Head(
            RoiAlign roiAlign,
            String scoreActivation,
            int backgroundIndex,
            boolean classSpecificBoxes,
            boolean deltasHaveBackgroundSlot,
            BoxCoderSpec boxCoder,
            boolean clipBoxes,
            float scoreThreshold,
            float nmsThreshold,
            int detectionsPerImage,
            float minBoxSize) {}

    public record Output(BoxScaling boxScaling, boolean clipToImage) {}

    /** A foreground class: its column among the head's scores (background removed), dataset id, name. */
    public record ClassInfo(int index, int id, String name) {}

    public int numClasses() {
        return classes.size();
    }
}
