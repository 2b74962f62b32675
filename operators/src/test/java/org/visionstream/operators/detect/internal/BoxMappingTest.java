package org.visionstream.operators.detect.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.ModelManifest.BoxScaling;
import org.visionstream.operators.bundle.ModelManifest.Output;
import org.visionstream.operators.preprocess.ResizePlan;

class BoxMappingTest {

    /** 500 x 406 resized to 739 x 600 (gluon-cv's rule: short side 600, sides rounded separately). */
    private static final ResizePlan PLAN = new ResizePlan(500, 406, 739, 600, 600.0 / 406);
    private static final float[] OUTSIDE = {-5f, 10f, 760f, 620f};

    private static float[] map(Output output) {
        float[] out = new float[4];
        FasterRcnnTranslator.toOriginal(OUTSIDE, 0, PLAN, output, out);
        return out;
    }

    @Test
    void clipToImageClipsToTheNetworkInputThenScalesByTheHeightRatio() {
        // Spec A.13: (0, 10, 739, 600) times 406 / 600; the right edge lands at 500.06, past the original width.
        float s = 406f / 600f;
        assertArrayEquals(new float[] {0f, 10f * s, 739f * s, 600f * s}, map(new Output(BoxScaling.HEIGHT, true)), 0f);
    }

    @Test
    void withoutClippingBoxesAreOnlyScaled() {
        float sx = 500f / 739f;
        float sy = 406f / 600f;
        assertArrayEquals(new float[] {-5f * sx, 10f * sy, 760f * sx, 620f * sy}, map(new Output(BoxScaling.PER_AXIS, false)), 0f);
        float scale = (float) (600.0 / 406);
        assertArrayEquals(new float[] {-5f / scale, 10f / scale, 760f / scale, 620f / scale},
                map(new Output(BoxScaling.UNIFORM, false)), 0f);
    }
}
