package org.visionstream.operators.preprocess;

import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;

/**
 * The network-input size for one original size under a bundle's resize rule, and the factors that map
 * boxes back. {@code scale} is the factor the rule chose (double, as the Python frameworks compute it).
 */
public record ResizePlan(int originalWidth, int originalHeight, int width, int height, double scale) {

    public static ResizePlan of(Resize rule, int originalWidth, int originalHeight) {
        int shortSide = Math.min(originalWidth, originalHeight);
        int longSide = Math.max(originalWidth, originalHeight);
        double scale = (double) rule.shortSide() / shortSide;
        if (rule.maxSize() > 0 && round(rule.sizeRounding(), longSide * scale) > rule.maxSize()) {
            scale = (double) rule.maxSize() / longSide;
        }
        int width = Math.max(1, round(rule.sizeRounding(), originalWidth * scale));
        int height = Math.max(1, round(rule.sizeRounding(), originalHeight * scale));
        return new ResizePlan(originalWidth, originalHeight, width, height, scale);
    }

    private static int round(SizeRounding rounding, double v) {
        return (int) (rounding == SizeRounding.FLOOR ? Math.floor(v) : Math.rint(v));
    }
}
