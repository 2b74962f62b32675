package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.visionstream.operators.postprocess.DetectionOptions.ScoreActivation;

class DetectionDecoderTest {

    private static final int IMAGE_H = 100;
    private static final int IMAGE_W = 120;

    private static final float LN3 = (float) Math.log(3);
    private static final float CLAMP = (float) Math.log(1000.0 / 16);

    /** w = 40, h = 20, centre (30, 20). */
    private static final float[] P0 = {10, 10, 50, 30};
    /** P0 with dx = 2.5 under weights (10, 10, 5, 5): moved right by a quarter of its width. */
    private static final float[] P0_RIGHT = {20, 10, 60, 30};
    /** P0 with dy = 5: moved down by half its height. */
    private static final float[] P0_DOWN = {10, 20, 50, 40};
    private static final float[] DX = {2.5f, 0, 0, 0};
    private static final float[] DY = {0, 5f, 0, 0};
    private static final float[] GARBAGE = {9, 9, 9, 9};

    /** Two foreground classes, softmax with background first, torchvision's head coder, NMS 0.5. */
    private static DetectionOptions.Builder options() {
        return DetectionOptions.builder()
                .numClasses(2)
                .backgroundIndex(0)
                .scoreActivation(ScoreActivation.SOFTMAX)
                .classSpecificBoxes(true)
                .deltasHaveBackgroundSlot(false)
                .boxCoder(new BoxCoder(new float[] {10, 10, 5, 5}, BoxCoder.Mode.DIVIDE, CLAMP))
                .clipBoxes(true)
                .scoreThreshold(0.05f)
                .nmsThreshold(0.5f)
                .detectionsPerImage(100)
                .minBoxSize(0f);
    }

    private static DecodedBoxes decode(DetectionOptions options, float[] logits, float[] deltas, float[] proposals) {
        return new DetectionDecoder(options).decode(logits, 0, deltas, 0, proposals, proposals.length / 4, IMAGE_H,
                IMAGE_W);
    }

    /** Zero deltas for {@code rows} proposals with one delta slot per class. */
    private static float[] zeroDeltas(int rows, DetectionOptions options) {
        return new float[rows * options.numClasses() * 4];
    }

    private static float[] concat(float[]... parts) {
        int length = 0;
        for (float[] p : parts) {
            length += p.length;
        }
        float[] out = new float[length];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    private static void assertDetections(DecodedBoxes d, int[] classes, float[] scores, float[] boxes) {
        assertEquals(classes.length, d.count());
        assertArrayEquals(classes, d.classIndices());
        assertArrayEquals(scores, d.scores(), 1e-6f);
        assertArrayEquals(boxes, d.boxes(), 1e-4f);
    }

    @Test
    void softmaxWithBackgroundFirstOrLastGivesTheSameClassScores() {
        // exp: 6, 3, 1 over 10 -> background 0.6, class 0 0.3, class 1 0.1. Background is never a detection.
        float ln6 = (float) Math.log(6);
        DetectionOptions first = options().build();
        DetectionOptions last = options().backgroundIndex(2).build();
        int[] classes = {0, 1};
        float[] scores = {0.3f, 0.1f};
        float[] boxes = concat(P0, P0);
        assertDetections(decode(first, new float[] {ln6, LN3, 0}, zeroDeltas(1, first), P0), classes, scores, boxes);
        assertDetections(decode(last, new float[] {LN3, 0, ln6}, zeroDeltas(1, last), P0), classes, scores, boxes);
    }

    @Test
    void softmaxSumsInDoubleAsMxnetDoes() {
        // exp(-17.03) = 4.0e-8 for the background: 1 / (1 + 4.0e-8) is 0.99999994f, while a float sum rounds
        // 1 + 4.0e-8 to 1 and would give 1.0f (spec A.9; MXNet accumulates float32 softmax in double).
        DetectionOptions o = options().build();
        DecodedBoxes d = decode(o, new float[] {0f, 17.03f, -100f}, zeroDeltas(1, o), P0);
        assertEquals(1, d.count());
        assertEquals(0.99999994f, d.scores()[0], 0f);
    }

    @Test
    void classSpecificDeltasPickTheClassSlot() {
        // Equal logits: both classes at 1/3.
        float[] logits = {0, 0, 0};
        int[] classes = {0, 1};
        float[] scores = {1f / 3, 1f / 3};
        float[] boxes = concat(P0_RIGHT, P0_DOWN);

        // gluon-cv / detectron2: no background slot, class k at 4k.
        assertDetections(decode(options().build(), logits, concat(DX, DY), P0), classes, scores, boxes);
        // torchvision: a background slot where the background column is, class k at 4 * column.
        assertDetections(decode(options().deltasHaveBackgroundSlot(true).build(), logits, concat(GARBAGE, DX, DY), P0),
                classes, scores, boxes);
        assertDetections(
                decode(options().backgroundIndex(2).deltasHaveBackgroundSlot(true).build(), logits,
                        concat(DX, DY, GARBAGE), P0),
                classes, scores, boxes);
    }

    @Test
    void classAgnosticDeltasAreSharedByAllClasses() {
        DecodedBoxes d = decode(options().classSpecificBoxes(false).build(), new float[] {0, 0, 0}, DX, P0);
        assertDetections(d, new int[] {0, 1}, new float[] {1f / 3, 1f / 3}, concat(P0_RIGHT, P0_RIGHT));
    }

    @Test
    void scoreThresholdIsStrict() {
        // Four equal logits: every class at exactly 0.25. Ties come out in class order.
        DetectionOptions.Builder three = options().numClasses(3);
        float[] logits = {0, 0, 0, 0};
        float[] deltas = new float[12];
        assertEquals(0, decode(three.scoreThreshold(0.25f).build(), logits, deltas, P0).count());
        DecodedBoxes d = decode(three.scoreThreshold(Math.nextDown(0.25f)).build(), logits, deltas, P0);
        assertDetections(d, new int[] {0, 1, 2}, new float[] {0.25f, 0.25f, 0.25f}, concat(P0, P0, P0));
    }

    @Test
    void nmsIsPerClass() {
        // P1 overlaps P0 with IoU 780 / 820.
        float[] p1 = {11, 10, 51, 30};
        float ln4 = (float) Math.log(4);
        float ln6 = (float) Math.log(6);
        // Row 0: exp 1, 6, 1 -> class 0 0.75, class 1 0.125. Row 1: exp 1, 4, 3 -> 0.5, 0.375.
        float[] logits = {0, ln6, 0, 0, ln4, LN3};
        DetectionOptions options = options().build();
        DecodedBoxes d = decode(options, logits, zeroDeltas(2, options), concat(P0, p1));
        // Class 0: row 0 suppresses row 1. Class 1: row 1 suppresses row 0. Across classes nothing is suppressed.
        assertDetections(d, new int[] {0, 1}, new float[] {0.75f, 0.375f}, concat(P0, p1));
    }

    @Test
    void detectionsPerImageKeepsTheBest() {
        // One class, sigmoid: 0.5, 0.75, 0.25 on three disjoint proposals.
        float[] proposals = {0, 0, 10, 10, 20, 0, 30, 10, 40, 0, 50, 10};
        float[] logits = {0, LN3, -LN3};
        DetectionOptions.Builder one = options().numClasses(1).scoreActivation(ScoreActivation.SIGMOID);
        float[] deltas = new float[12];

        DecodedBoxes capped = decode(one.detectionsPerImage(2).build(), logits, deltas, proposals);
        float[] best = {20, 0, 30, 10, 0, 0, 10, 10};
        assertDetections(capped, new int[] {0, 0}, new float[] {0.75f, 0.5f}, best);
        // 0 means no cap.
        assertEquals(3, decode(one.detectionsPerImage(0).build(), logits, deltas, proposals).count());
    }

    @Test
    void sigmoidScoresEveryColumnAsAClass() {
        // No background column: column k is class k, and so is delta slot k.
        DetectionOptions options = options().scoreActivation(ScoreActivation.SIGMOID).build();
        DecodedBoxes d = decode(options, new float[] {0, LN3}, concat(DX, DY), P0);
        assertDetections(d, new int[] {1, 0}, new float[] {0.75f, 0.5f}, concat(P0_DOWN, P0_RIGHT));
    }

    @Test
    void clipsToTheImageUnlessDisabled() {
        // P0_RIGHT reaches x = 60 and P0_DOWN y = 40; the image here is 55 x 35.
        float[] logits = {0, 0, 0};
        float[] deltas = concat(DX, DY);
        DecodedBoxes clipped = new DetectionDecoder(options().build()).decode(logits, 0, deltas, 0, P0, 1, 35, 55);
        assertArrayEquals(new float[] {20, 10, 55, 30, 10, 20, 50, 35}, clipped.boxes(), 1e-4f);
        DecodedBoxes raw = new DetectionDecoder(options().clipBoxes(false).build()).decode(logits, 0, deltas, 0, P0, 1,
                35, 55);
        assertArrayEquals(concat(P0_RIGHT, P0_DOWN), raw.boxes(), 1e-4f);
    }

    @Test
    void minBoxSizeDropsBoxesThatClipToNothing() {
        // Entirely left of the image: clipped to zero width.
        float[] outside = {-30, 10, -10, 30};
        float[] logits = {0, 0, 0};
        float[] deltas = new float[8];
        assertEquals(0, decode(options().minBoxSize(0.01f).build(), logits, deltas, outside).count());
        // minBoxSize 0 (gluon-cv, detectron2): no size filter, the empty box stays.
        DecodedBoxes kept = decode(options().minBoxSize(0f).build(), logits, deltas, outside);
        assertArrayEquals(new float[] {0, 10, 0, 30, 0, 10, 0, 30}, kept.boxes());
    }

    @Test
    void largeLogitsDoNotOverflowTheSoftmax() {
        DetectionOptions options = options().build();
        // Shifted by the row maximum: exp(0) = 1 for the winner, exp(-1000) = 0 for the rest.
        DecodedBoxes d = decode(options, new float[] {0, 1000f, 0}, zeroDeltas(1, options), P0);
        assertDetections(d, new int[] {0}, new float[] {1f}, P0);
        assertEquals(0, decode(options, new float[] {1000f, 0, 0}, zeroDeltas(1, options), P0).count());
    }

    @Test
    void infiniteBoxesAreDroppedUnlessClippingMakesThemFinite() {
        // dw = 1000 / 5 with no clamp: exp overflows, the box spans -inf..inf in x.
        BoxCoder noClamp = new BoxCoder(new float[] {10, 10, 5, 5}, BoxCoder.Mode.DIVIDE, Float.NaN);
        // Only class 0 passes the threshold.
        float[] logits = {0, 10f, 0};
        float[] deltas = {0, 0, 1000f, 0, 0, 0, 0, 0};
        assertEquals(0, decode(options().boxCoder(noClamp).clipBoxes(false).build(), logits, deltas, P0).count());
        DecodedBoxes clipped = decode(options().boxCoder(noClamp).build(), logits, deltas, P0);
        assertArrayEquals(new float[] {0, 10, IMAGE_W, 30}, clipped.boxes());
    }

    @Test
    void gluonCvGhostRowsSurviveAsMinusOneBoxes() {
        // Spec A.15: padding proposals (-1, -1, -1, -1) have zero size, decode to themselves and, with no clip and
        // no size filter, are never suppressed (IoU 0 / 0).
        DetectionOptions gluon = options()
                .boxCoder(new BoxCoder(new float[] {0.1f, 0.1f, 0.2f, 0.2f}, BoxCoder.Mode.MULTIPLY, Float.NaN))
                .clipBoxes(false)
                .scoreThreshold(0.01f)
                .nmsThreshold(0.3f)
                .detectionsPerImage(0)
                .build();
        float[] ghosts = {-1, -1, -1, -1, -1, -1, -1, -1};
        float[] logits = {0, 2f, 0, 0, 2f, 0};
        float[] deltas = {0.3f, -0.2f, 1f, 1f, 0, 0, 0, 0, 0.5f, 0.5f, -1f, 2f, 0, 0, 0, 0};
        DecodedBoxes d = decode(gluon, logits, deltas, ghosts);
        assertEquals(4, d.count());
        assertArrayEquals(new int[] {0, 0, 1, 1}, d.classIndices());
        for (float v : d.boxes()) {
            assertEquals(-1f, v);
        }
    }

    @Test
    void readsThisImagesRowsAtTheGivenOffsets() {
        DetectionOptions options = options().build();
        float[] logits = {0, 0, 0};
        float[] deltas = concat(DX, DY);
        DecodedBoxes alone = decode(options, logits, deltas, P0);
        // Second image of a batch: its logits and deltas follow a block that would change every result.
        DecodedBoxes second = new DetectionDecoder(options).decode(concat(new float[] {9, -9, -9}, logits), 3,
                concat(GARBAGE, GARBAGE, deltas), 8, P0, 1, IMAGE_H, IMAGE_W);
        assertDetections(second, alone.classIndices(), alone.scores(), alone.boxes());
    }

    @Test
    void decoderIsReusableAcrossImages() {
        DetectionDecoder decoder = new DetectionDecoder(options().build());
        float[] many = concat(P0, P0_RIGHT, P0_DOWN, P0);
        decoder.decode(new float[12], 0, new float[32], 0, many, 4, IMAGE_H, IMAGE_W);
        DecodedBoxes d = decoder.decode(new float[] {0, 0, 0}, 0, concat(DX, DY), 0, P0, 1, IMAGE_H, IMAGE_W);
        assertDetections(d, new int[] {0, 1}, new float[] {1f / 3, 1f / 3}, concat(P0_RIGHT, P0_DOWN));
    }

    @Test
    void perClassNmsMatchesTheDefinitionOnRandomHeads() {
        // With a NaN threshold nothing is suppressed, so the decoder lists every candidate in rank order; the
        // definition's per-class NMS over that list must give what the decoder gives with the real threshold.
        Random random = new Random(17);
        BoxCoder gluonCoder = new BoxCoder(new float[] {0.1f, 0.1f, 0.2f, 0.2f}, BoxCoder.Mode.MULTIPLY, Float.NaN);
        for (int trial = 0; trial < 40; trial++) {
            int classes = 1 + random.nextInt(20);
            int rows = random.nextInt(300);
            boolean gluon = random.nextBoolean();
            DetectionOptions.Builder builder = options()
                    .numClasses(classes)
                    .nmsThreshold(new float[] {0.3f, 0.5f, 0.7f}[random.nextInt(3)]);
            if (gluon) {
                builder.boxCoder(gluonCoder).clipBoxes(false).scoreThreshold(0.01f).detectionsPerImage(0);
            } else {
                builder.detectionsPerImage(1 + random.nextInt(100));
            }
            DetectionOptions options = builder.build();
            float[] proposals = NmsTest.randomBoxes(random, rows);
            float[] logits = new float[rows * (classes + 1)];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = random.nextInt(4) == 0 ? random.nextInt(8) / 2f : (float) random.nextGaussian() * 2;
            }
            float[] deltas = new float[rows * classes * 4];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = (float) random.nextGaussian() * 0.5f;
            }
            DetectionOptions listAll = builder.nmsThreshold(Float.NaN).detectionsPerImage(0).build();
            DecodedBoxes all = new DetectionDecoder(listAll)
                    .decode(logits, 0, deltas, 0, proposals, rows, IMAGE_H, IMAGE_W);
            int cap = options.detectionsPerImage() > 0 ? options.detectionsPerImage() : all.count();
            int[] keep = ReferenceNms.keep(all.boxes(), all.scores(), all.classIndices(), all.count(),
                    options.nmsThreshold(), cap);
            float[] boxes = new float[4 * keep.length];
            float[] scores = new float[keep.length];
            int[] classIndices = new int[keep.length];
            for (int k = 0; k < keep.length; k++) {
                System.arraycopy(all.boxes(), 4 * keep[k], boxes, 4 * k, 4);
                scores[k] = all.scores()[keep[k]];
                classIndices[k] = all.classIndices()[keep[k]];
            }
            DecodedBoxes d = new DetectionDecoder(options).decode(logits, 0, deltas, 0, proposals, rows, IMAGE_H, IMAGE_W);
            String what = "trial " + trial;
            assertArrayEquals(classIndices, d.classIndices(), what);
            assertArrayEquals(scores, d.scores(), what);
            assertArrayEquals(boxes, d.boxes(), what);
        }
    }
}
