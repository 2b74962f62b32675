package org.visionstream.operators.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.visionstream.operators.bundle.ModelManifest.ColorOrder;
import org.visionstream.operators.bundle.ModelManifest.Preprocess;
import org.visionstream.operators.bundle.ModelManifest.Resize;
import org.visionstream.operators.bundle.ModelManifest.ResizeMethod;
import org.visionstream.operators.bundle.ModelManifest.SizeRounding;
import org.visionstream.operators.preprocess.ImageRejectedException.Reason;

class PreprocessorTest {

    /** A 2x2 BGR image; pixel (x, y) has B = 10 + 20x + 40y, G = B + 1, R = B + 2. */
    private static DecodedImage twoByTwo() {
        byte[] bgr = new byte[12];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 2; x++) {
                int b = 10 + 20 * x + 40 * y;
                int p = (y * 2 + x) * 3;
                bgr[p] = (byte) b;
                bgr[p + 1] = (byte) (b + 1);
                bgr[p + 2] = (byte) (b + 2);
            }
        }
        return new DecodedImage(2, 2, bgr);
    }

    private static Preprocess spec(ColorOrder order, ResizeMethod method, int shortSide, int divisibility) {
        return new Preprocess(order, 1f, new float[] {1f, 2f, 3f}, new float[] {1f, 1f, 2f},
                new Resize(shortSide, 0, method, SizeRounding.FLOOR), divisibility, -7f);
    }

    @Test
    void alignCornersBilinearHitsTheCornersAndInterpolatesBetween() throws Exception {
        PreprocessedImage out = new Preprocessor(spec(ColorOrder.BGR, ResizeMethod.BILINEAR_ALIGN_CORNERS, 3, 0))
                .apply(twoByTwo());
        assertEquals(3, out.paddedWidth());
        assertEquals(3, out.paddedHeight());
        // Channel 0 is B minus mean 1: corners 9, 29, 49, 69; the centre is their average 39.
        float[] blue = java.util.Arrays.copyOfRange(out.chw(), 0, 9);
        assertArrayEquals(new float[] {9, 19, 29, 29, 39, 49, 49, 59, 69}, blue, 1e-5f);
        // Channel 2 is R minus 3, divided by 2.
        assertEquals((12 - 3) / 2f, out.chw()[18], 1e-5f);
    }

    @Test
    void halfPixelBilinearMatchesPyTorchsSourceIndexRule() throws Exception {
        // Upscaling 2 -> 4 with align_corners=False: source x = (i + 0.5) / 2 - 0.5 clamped at 0,
        // i.e. 0, 0.25, 0.75, 1.0 (the last clamps to the edge pixel).
        PreprocessedImage out = new Preprocessor(spec(ColorOrder.BGR, ResizeMethod.BILINEAR, 4, 0)).apply(twoByTwo());
        float[] firstRow = java.util.Arrays.copyOfRange(out.chw(), 0, 4);
        assertArrayEquals(new float[] {9, 14, 24, 29}, firstRow, 1e-5f);
    }

    @Test
    void rgbOrderSwapsChannelsAndPaddingUsesThePadValue() throws Exception {
        PreprocessedImage out = new Preprocessor(spec(ColorOrder.RGB, ResizeMethod.BILINEAR, 2, 4)).apply(twoByTwo());
        assertEquals(4, out.paddedWidth());
        assertEquals(4, out.paddedHeight());
        assertEquals(2, out.plan().width());
        // Channel 0 is now R of pixel (0,0) = 12, minus mean 1.
        assertEquals(11f, out.chw()[0], 1e-6f);
        assertEquals(-7f, out.chw()[2], 0f, "right padding");
        assertEquals(-7f, out.chw()[4 * 3], 0f, "bottom padding");
    }

    @Test
    void openCvLinearKeepsAnImageAlreadyAtSize() throws Exception {
        PreprocessedImage out = new Preprocessor(spec(ColorOrder.BGR, ResizeMethod.OPENCV_LINEAR, 2, 0)).apply(twoByTwo());
        assertArrayEquals(new float[] {9, 29, 49, 69}, java.util.Arrays.copyOfRange(out.chw(), 0, 4), 0f);
    }

    @Test
    void anImageWhoseNetworkInputWouldBeTooLargeIsRejectedWithItsReason() {
        // 6000x1 is a valid image, but scaling its short side to 320 would make a 1.9-gigapixel input.
        Preprocessor preprocessor = new Preprocessor(spec(ColorOrder.BGR, ResizeMethod.BILINEAR, 320, 0));
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> preprocessor.apply(new DecodedImage(6000, 1, new byte[6000 * 3])));
        assertEquals(Reason.NETWORK_INPUT_TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("1920000x320 network input"), e.getMessage());
    }

    @Test
    void aSideBeyondIntegerRangeIsRejectedNotOverflowedIntoABadArraySize() {
        // The width saturates at Integer.MAX_VALUE; padded to 32 it no longer fits in an int.
        Preprocessor preprocessor = new Preprocessor(spec(ColorOrder.BGR, ResizeMethod.BILINEAR, 1 << 30, 32));
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> preprocessor.apply(new DecodedImage(2, 1, new byte[6])));
        assertTrue(e.getMessage().contains("2147483648x1073741824"), e.getMessage());
    }
}
