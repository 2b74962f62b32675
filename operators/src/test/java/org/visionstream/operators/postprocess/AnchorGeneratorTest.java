package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class AnchorGeneratorTest {

    private static final float[] RATIOS = {0.5f, 1f, 2f};
    private static final float[] FIVE_SIZES = {32f, 64f, 128f, 256f, 512f};

    // sqrt(2048) / 2 and sqrt(512) / 2: half-sides of a 32^2-area box with h/w = 0.5 or 2.
    private static final float LONG_32 = 22.627417f;
    private static final float SHORT_32 = 11.3137085f;

    /** The anchor at flat index n, i.e. 4 floats from 4n. */
    private static float[] box(float[] anchors, int n) {
        return new float[] {anchors[4 * n], anchors[4 * n + 1], anchors[4 * n + 2], anchors[4 * n + 3]};
    }

    @Test
    void detectron2CellAnchorsAreSizeMajorWithAreaPreserved() {
        AnchorGenerator gen = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.DETECTRON2, 16, new float[] {32f, 64f}, RATIOS, 0f));
        float[] expected = {
            // size 32: w = sqrt(1024 / r), h = r * w
            -LONG_32, -SHORT_32, LONG_32, SHORT_32,
            -16f, -16f, 16f, 16f,
            -SHORT_32, -LONG_32, SHORT_32, LONG_32,
            // size 64: every side doubles
            -2 * LONG_32, -2 * SHORT_32, 2 * LONG_32, 2 * SHORT_32,
            -32f, -32f, 32f, 32f,
            -2 * SHORT_32, -2 * LONG_32, 2 * SHORT_32, 2 * LONG_32,
        };
        assertEquals(6, gen.anchorsPerLocation());
        assertArrayEquals(expected, gen.cellAnchors(), 1e-5f);
    }

    @Test
    void gridShiftsByStrideWithOffsetInFlatIndexOrder() {
        // offset 0.5 puts anchor centres at the cell centres: (16 j + 8, 16 i + 8).
        AnchorGenerator gen = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.DETECTRON2, 16, new float[] {32f}, RATIOS, 0.5f));
        int h = 2;
        int w = 3;
        float[] grid = gen.anchors(h, w);
        assertEquals(h * w * 3 * 4, grid.length);

        // n = (i * w + j) * A + a
        assertArrayEquals(new float[] {8 - LONG_32, 8 - SHORT_32, 8 + LONG_32, 8 + SHORT_32}, box(grid, 0), 1e-5f);
        assertArrayEquals(new float[] {24f, 8f, 56f, 40f}, box(grid, (1 * w + 2) * 3 + 1), 1e-5f);
        assertArrayEquals(new float[] {40 - SHORT_32, 8 - LONG_32, 40 + SHORT_32, 8 + LONG_32},
                box(grid, (0 * w + 2) * 3 + 2), 1e-5f);
        assertArrayEquals(new float[] {-8f, 8f, 24f, 40f}, box(grid, (1 * w + 0) * 3 + 1), 1e-5f);
    }

    @Test
    void zeroOffsetPutsCentresOnCellCorners() {
        AnchorGenerator gen = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.DETECTRON2, 16, new float[] {32f}, new float[] {1f}, 0f));
        float[] grid = gen.anchors(2, 2);
        assertArrayEquals(new float[] {-16f, -16f, 16f, 16f}, box(grid, 0));
        assertArrayEquals(new float[] {0f, -16f, 32f, 16f}, box(grid, 1));
        assertArrayEquals(new float[] {-16f, 0f, 16f, 32f}, box(grid, 2));
        assertArrayEquals(new float[] {0f, 0f, 32f, 32f}, box(grid, 3));
    }

    @Test
    void gluonCvCellAnchorsMatchSpecTableA4() {
        AnchorGenerator gen = new AnchorGenerator(new AnchorOptions(AnchorStyle.GLUONCV, 16, FIVE_SIZES, RATIOS, 0f));
        // faster-rcnn-spec.md section A.4, rows a = 0..14 (ratio outer, size inner).
        float[] table = {
            -15, -4, 30, 19,
            -38, -16, 53, 31,
            -84, -40, 99, 55,
            -176, -88, 191, 103,
            -360, -184, 375, 199,
            -8, -8, 23, 23,
            -24, -24, 39, 39,
            -56, -56, 71, 71,
            -120, -120, 135, 135,
            -248, -248, 263, 263,
            -3, -14, 18, 29,
            -14, -36, 29, 51,
            -36, -80, 51, 95,
            -80, -168, 95, 183,
            -168, -344, 183, 359,
        };
        // All values are exact halves of integers, so no tolerance.
        assertArrayEquals(table, gen.cellAnchors());
    }

    @Test
    void gluonCvRoundsHalvesToEven() {
        // Ratio 5/8: ws = round(sqrt(256 / 0.625)) = 20, hs = round(12.5) = 12 (numpy), not 13.
        // Window around (7.5, 7.5): x 7.5 -+ 9.5, y 7.5 -+ 5.5.
        AnchorGenerator gen = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.GLUONCV, 16, new float[] {16f}, new float[] {0.625f}, 0f));
        assertArrayEquals(new float[] {-2f, 2f, 17f, 13f}, gen.cellAnchors());
    }

    @Test
    void gluonCvGridShiftsBySixteenWithoutHalfStride() {
        AnchorGenerator gen = new AnchorGenerator(new AnchorOptions(AnchorStyle.GLUONCV, 16, FIVE_SIZES, RATIOS, 0f));
        float[] grid = gen.anchors(38, 50);
        // 600x800 input: spec A.4 counts 28,500 anchors.
        assertEquals(28_500 * 4, grid.length);
        // Row i = 1, column j = 2, a = 14: base (-168, -344, 183, 359) + (32, 16, 32, 16).
        assertArrayEquals(new float[] {-136f, -328f, 215f, 375f}, box(grid, (1 * 50 + 2) * 15 + 14));
        // Last anchor: i = 37, j = 49, a = 5: base (-8, -8, 23, 23) + (784, 592, 784, 592); centre 16 j + 7.5.
        assertArrayEquals(new float[] {776f, 584f, 807f, 615f}, box(grid, (37 * 50 + 49) * 15 + 5));
    }

    @Test
    void torchvisionCellAnchorsAreRatioMajorAndRounded() {
        AnchorGenerator gen = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.TORCHVISION, 16, FIVE_SIZES, RATIOS, 0f));
        // Spec B.4 (R50-FPN values, here all sizes on one level): a = 5 * ratioIndex + sizeIndex.
        float[] expected = {
            -23, -11, 23, 11,
            -45, -23, 45, 23,
            -91, -45, 91, 45,
            -181, -91, 181, 91,
            -362, -181, 362, 181,
            -16, -16, 16, 16,
            -32, -32, 32, 32,
            -64, -64, 64, 64,
            -128, -128, 128, 128,
            -256, -256, 256, 256,
            -11, -23, 11, 23,
            -23, -45, 23, 45,
            -45, -91, 45, 91,
            -91, -181, 91, 181,
            -181, -362, 181, 362,
        };
        assertArrayEquals(expected, gen.cellAnchors());
    }

    @Test
    void torchvisionRoundsHalvesToEven() {
        // Half-sides 0.5, 1.5, 2.5 round to 0, 2, 2 (torch.round), not 1, 2, 3 (Math.round).
        AnchorGenerator gen =
                new AnchorGenerator(
                        new AnchorOptions(AnchorStyle.TORCHVISION, 16, new float[] {1f, 3f, 5f}, new float[] {1f}, 0f));
        float[] expected = {
            -0f, -0f, 0f, 0f,
            -2f, -2f, 2f, 2f,
            -2f, -2f, 2f, 2f,
        };
        assertArrayEquals(expected, gen.cellAnchors());
    }

    @Test
    void gridIsCachedPerFeatureSizeAndCellAnchorsAreCopies() {
        AnchorGenerator gen = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.DETECTRON2, 16, FIVE_SIZES, RATIOS, 0f));
        float[] first = gen.anchors(20, 25);
        assertSame(first, gen.anchors(20, 25));
        // (h, w) and (w, h) are different keys.
        assertNotSame(first, gen.anchors(25, 20));

        float[] cell = gen.cellAnchors();
        float original = cell[0];
        cell[0] = 1e6f;
        assertEquals(original, gen.cellAnchors()[0]);
    }
}
