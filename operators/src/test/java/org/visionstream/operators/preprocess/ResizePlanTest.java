package org.visionstream.operators.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;

class ResizePlanTest {

    private static final Resize GLUON = new Resize(600, 1000, ResizeMethod.OPENCV_LINEAR, SizeRounding.ROUND_HALF_EVEN);
    private static final Resize D2GO = new Resize(320, 0, ResizeMethod.BILINEAR_ALIGN_CORNERS, SizeRounding.FLOOR);

    private static void assertSize(Resize rule, int w, int h, int expectedW, int expectedH) {
        ResizePlan plan = ResizePlan.of(rule, w, h);
        assertEquals(expectedW + "x" + expectedH, plan.width() + "x" + plan.height(), "resize of " + w + "x" + h);
    }

    @Test
    void gluonCvShortSideWithinMaxSizeRoundsHalfToEven() {
        // The spec's checked examples (h x w there; w x h here).
        assertSize(GLUON, 500, 375, 800, 600);
        assertSize(GLUON, 375, 500, 600, 800);
        assertSize(GLUON, 500, 333, 901, 600);
        assertSize(GLUON, 1920, 1080, 1000, 562);
        assertSize(GLUON, 500, 500, 600, 600);
    }

    @Test
    void d2goShortSideFloorsWithoutMaxSize() {
        assertSize(D2GO, 500, 375, 426, 320);
        assertSize(D2GO, 480, 270, 568, 320);
        assertSize(D2GO, 768, 432, 568, 320);
        assertEquals(320.0 / 375, ResizePlan.of(D2GO, 500, 375).scale());
    }
}
