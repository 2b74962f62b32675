package org.visionstream.operators.bundle;

import java.util.List;
import org.visionstream.operators.postprocess.AnchorOptions;
import org.visionstream.operators.postprocess.DetectionOptions;
import org.visionstream.operators.postprocess.ProposalOptions;

/**
 * The typed content of a bundle's {@code model.json}: every convention the runtime follows, bound once
 * by {@link ManifestReader} into the options of the stages that follow it, so no manifest name travels
 * further. Field meanings are documented in {@code model-assets/README.md}.
 *
 * @param rpn the manifest's {@code rpn} object
 * @param roiAlign the manifest's {@code head.roiAlign}: RoIAlign runs inside {@code head.onnx}, so the
 *     runtime only reports it
 * @param head the rest of the manifest's {@code head} object, with the number of classes
 */
public record ModelManifest(
        String name,
        String version,
        String sourceSha256,
        Preprocess preprocess,
        AnchorOptions anchors,
        ProposalOptions rpn,
        RoiAlign roiAlign,
        DetectionOptions head,
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

    public record RoiAlign(int outputHeight, int outputWidth, float spatialScale, int samplingRatio, boolean aligned) {}

    public record Output(BoxScaling boxScaling, boolean clipToImage) {}

    /** A foreground class: its column among the head's scores (background removed), dataset id, name. */
    public record ClassInfo(int index, int id, String name) {}

    public int numClasses() {
        return classes.size();
    }
}
