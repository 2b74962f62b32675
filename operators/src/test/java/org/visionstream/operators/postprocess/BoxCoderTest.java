package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.postprocess.BoxCoder.Mode;

class BoxCoderTest {

    private static final float LN2 = (float) Math.log(2);
    /** torchvision's and detectron2's bbox_xform_clip. */
    private static final float CLAMP = (float) Math.log(1000.0 / 16);

    private static final BoxCoder UNIT = new BoxCoder(new float[] {1, 1, 1, 1}, Mode.DIVIDE, Float.NaN);

    /** Decodes one reference box with four contiguous deltas. */
    private static float[] decode(BoxCoder coder, float[] reference, float... deltas) {
        float[] out = new float[4];
        coder.decode(reference, 0, deltas, 0, 1, out, 0);
        return out;
    }

    @Test
    void zeroDeltasReturnTheReference() {
        float[] ref = {3f, 5f, 17f, 41f};
        assertArrayEquals(ref, decode(UNIT, ref, 0, 0, 0, 0));
    }

    @Test
    void unitWeights() {
        // w = 10, h = 20, centre (5, 10); centre moves by (0.1 * 10, -0.2 * 20), width doubles.
        float[] box = decode(UNIT, new float[] {0, 0, 10, 20}, 0.1f, -0.2f, LN2, 0f);
        assertArrayEquals(new float[] {-4f, -4f, 16f, 16f}, box, 1e-5f);
    }

    @Test
    void divideByTorchvisionHeadWeights() {
        BoxCoder coder = new BoxCoder(new float[] {10, 10, 5, 5}, Mode.DIVIDE, CLAMP);
        // w = 20, h = 40, centre (20, 40); deltas / (10, 10, 5, 5) = (0.1, -0.2, ln 2, -ln 2):
        // centre (22, 32), size (40, 20).
        float[] box = decode(coder, new float[] {10, 20, 30, 60}, 1f, -2f, 5 * LN2, -5 * LN2);
        assertArrayEquals(new float[] {2f, 22f, 42f, 42f}, box, 1e-5f);
    }

    @Test
    void multiplyByGluonCvStdsGivesTheSameBox() {
        BoxCoder coder = new BoxCoder(new float[] {0.1f, 0.1f, 0.2f, 0.2f}, Mode.MULTIPLY, Float.NaN);
        float[] box = decode(coder, new float[] {10, 20, 30, 60}, 1f, -2f, 5 * LN2, -5 * LN2);
        assertArrayEquals(new float[] {2f, 22f, 42f, 42f}, box, 1e-5f);
    }

    @Test
    void modeDecidesWhetherWeightsDivideOrMultiply() {
        float[] ref = {0, 0, 10, 10};
        // dx = 1 with weight 2: DIVIDE moves the centre by 0.5 w, MULTIPLY by 2 w.
        float[] divided = decode(new BoxCoder(new float[] {2, 1, 1, 1}, Mode.DIVIDE, Float.NaN), ref, 1, 0, 0, 0);
        float[] multiplied = decode(new BoxCoder(new float[] {2, 1, 1, 1}, Mode.MULTIPLY, Float.NaN), ref, 1, 0, 0, 0);
        assertArrayEquals(new float[] {5f, 0f, 15f, 10f}, divided);
        assertArrayEquals(new float[] {20f, 0f, 30f, 10f}, multiplied);
    }

    @Test
    void clampCapsWidthAndHeightAtThousandOverSixteen() {
        BoxCoder coder = new BoxCoder(new float[] {1, 1, 1, 1}, Mode.DIVIDE, CLAMP);
        // exp(ln(1000 / 16)) = 62.5, so a 16-pixel reference grows to 1000 at most.
        float[] box = decode(coder, new float[] {0, 0, 16, 16}, 0, 0, 10f, 10f);
        assertArrayEquals(new float[] {-492f, -492f, 508f, 508f}, box, 1e-3f);
    }

    @Test
    void clampAppliesAfterTheWeights() {
        BoxCoder coder = new BoxCoder(new float[] {10, 10, 5, 5}, Mode.DIVIDE, CLAMP);
        // dw = 20 / 5 = 4 is below the clamp (4.135), dh = 25 / 5 = 5 is above it.
        float[] box = decode(coder, new float[] {0, 0, 16, 16}, 0, 0, 20f, 25f);
        float w = (float) Math.exp(4) * 16;
        assertEquals(w, box[2] - box[0], 1e-3f);
        assertEquals(1000f, box[3] - box[1], 1e-3f);
    }

    @Test
    void clampIsAnUpperBoundOnly() {
        BoxCoder coder = new BoxCoder(new float[] {1, 1, 1, 1}, Mode.DIVIDE, CLAMP);
        float[] box = decode(coder, new float[] {0, 0, 16, 16}, 0, 0, -10f, -10f);
        assertEquals(16 * Math.exp(-10), box[2] - box[0], 1e-5);
        assertEquals(16 * Math.exp(-10), box[3] - box[1], 1e-5);
    }

    @Test
    void noClampLetsExpGrowAndOverflow() {
        float[] box = decode(UNIT, new float[] {0, 0, 16, 16}, 0, 0, 10f, 100f);
        assertEquals(16 * Math.exp(10), box[2] - box[0], 0.1);
        // exp(100) overflows float: the box becomes infinite, as with MXNet's expf (spec A.15).
        assertEquals(Float.NEGATIVE_INFINITY, box[1]);
        assertEquals(Float.POSITIVE_INFINITY, box[3]);
    }

    @Test
    void stridedLayoutReadsDeltasOnePlaneApart() {
        // RPN output [4, h, w] with h * w = 6: the deltas of cell 4 are at 4, 10, 16, 22.
        int plane = 6;
        float[] deltas = new float[4 * plane];
        Arrays.fill(deltas, 99f);
        deltas[4] = 0.1f;
        deltas[4 + plane] = -0.2f;
        deltas[4 + 2 * plane] = LN2;
        deltas[4 + 3 * plane] = 0f;
        // Reference and output at non-zero offsets too.
        float[] refs = {7, 7, 7, 7, 0, 0, 10, 20};
        float[] out = new float[12];
        UNIT.decode(refs, 4, deltas, 4, plane, out, 8);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, -4f, -4f, 16f, 16f}, out, 1e-5f);
    }

    @Test
    void rejectsAnythingButFourWeights() {
        assertThrows(IllegalArgumentException.class, () -> new BoxCoder(new float[] {1, 1, 1}, Mode.DIVIDE, Float.NaN));
    }
}
