package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.visionstream.operators.postprocess.ProposalOptions.MinSizeRule;
import org.visionstream.operators.postprocess.ProposalOptions.Selection;

class ProposalSelectorTest {

    // Not square, so a swapped clip bound shows.
    private static final int IMAGE_H = 50;
    private static final int IMAGE_W = 40;

    private static final BoxCoder UNIT = new BoxCoder(new float[] {1, 1, 1, 1}, BoxCoder.Mode.DIVIDE, Float.NaN);

    /** Four disjoint anchors inside the image, for a 1 x 2 map with 2 anchors per cell (n = cell * 2 + a). */
    private static final float[] FOUR = {
        0, 0, 10, 10,
        0, 20, 10, 40,
        20, 0, 30, 10,
        20, 20, 30, 40,
    };

    /** Logits that rank the anchors in index order: n0 first, then n1, n2, n3. */
    private static final float[] DESCENDING = {0.9f, 0.8f, 0.7f, 0.6f};

    /** Logits that rank n1, n2, n3, n0. */
    private static final float[] MIXED = {0.1f, 0.4f, 0.3f, 0.2f};

    /** {@link #FOUR} with n0 shrunk to half a pixel. */
    private static float[] withTinyBest() {
        float[] anchors = FOUR.clone();
        anchors[2] = 0.5f;
        anchors[3] = 0.5f;
        return anchors;
    }

    /** One 16 x 16 anchor per cell of a stride-16 map, centred on the cell: they tile the map. */
    private static float[] cellSizedGrid(int h, int w) {
        return new AnchorGenerator(
                new AnchorOptions(AnchorStyle.DETECTRON2, 16, new float[] {16f}, new float[] {1f}, 0.5f)).anchors(h, w);
    }

    /** No caps that matter, no size or score filter, NMS at 0.7. */
    private static ProposalOptions.Builder options() {
        return ProposalOptions.builder()
                .preNmsTopK(100)
                .postNmsTopK(100)
                .nmsThreshold(0.7f)
                .minSize(0f)
                .minSizeRule(MinSizeRule.GREATER)
                .boxCoder(UNIT);
    }

    /** Per-anchor logits (index n) laid out as the RPN's {@code [A, h, w]}. */
    private static float[] objectnessNchw(float[] logits, int plane) {
        int perCell = logits.length / plane;
        float[] out = new float[logits.length];
        for (int n = 0; n < logits.length; n++) {
            out[(n % perCell) * plane + n / perCell] = logits[n];
        }
        return out;
    }

    /** Per-anchor deltas ({@code 4n .. 4n + 3}) laid out as the RPN's {@code [4A, h, w]}. */
    private static float[] deltasNchw(float[] deltas, int plane) {
        int anchors = deltas.length / 4;
        int perCell = anchors / plane;
        float[] out = new float[deltas.length];
        for (int n = 0; n < anchors; n++) {
            for (int k = 0; k < 4; k++) {
                out[(4 * (n % perCell) + k) * plane + n / perCell] = deltas[4 * n + k];
            }
        }
        return out;
    }

    private static float[] select(ProposalOptions options, int featH, int featW, float[] anchors, float[] logits,
            float[] deltas) {
        int plane = featH * featW;
        return run(options, objectnessNchw(logits, plane), 0, deltasNchw(deltas, plane), 0, featH, featW, anchors);
    }

    /** As above with zero deltas: proposals are the (clipped) anchors. */
    private static float[] select(ProposalOptions options, int featH, int featW, float[] anchors, float[] logits) {
        return select(options, featH, featW, anchors, logits, new float[anchors.length]);
    }

    /** The proposals written for an {@code IMAGE_H x IMAGE_W} image, trimmed to the returned count. */
    private static float[] run(ProposalOptions options, float[] objectness, int objOffset, float[] deltas,
            int deltaOffset, int featH, int featW, float[] anchors) {
        return run(options, objectness, objOffset, deltas, deltaOffset, featH, featW, anchors, IMAGE_H, IMAGE_W);
    }

    private static float[] run(ProposalOptions options, float[] objectness, int objOffset, float[] deltas,
            int deltaOffset, int featH, int featW, float[] anchors, int imageH, int imageW) {
        float[] out = new float[4 * options.postNmsTopK()];
        int count = new ProposalSelector(options)
                .select(objectness, objOffset, deltas, deltaOffset, featH, featW, anchors, imageH, imageW, out);
        return Arrays.copyOf(out, 4 * count);
    }

    @Test
    void readsLogitsAndDeltasInNchwLayout() {
        // 1 x 2 map, A = 2. Logits per anchor n: 0.1, 0.4, 0.3, 0.2; [A, h, w] lists a = 0 first: n0, n2, n1, n3.
        float[] objectness = {0.1f, 0.3f, 0.4f, 0.2f};
        // [4A, h, w]: channel 4a + k, cell p at channel * 2 + p. Anchor n2 (cell 1, a = 0) gets dx = 0.5.
        float[] deltas = new float[16];
        deltas[1] = 0.5f;
        float[] expected = {
            0, 20, 10, 40, // n1
            25, 0, 35, 10, // n2, moved by half its width
            20, 20, 30, 40, // n3
            0, 0, 10, 10, // n0
        };
        assertArrayEquals(expected, run(options().build(), objectness, 0, deltas, 0, 1, 2, FOUR));
    }

    @Test
    void readsThisImagesBlockAtTheGivenOffsets() {
        float[] deltas = new float[16];
        deltas[4 * 2] = 0.5f;
        float[] expected = select(options().build(), 1, 2, FOUR, MIXED, deltas);

        // Second image of a batch of two; the first image's block holds values that would change the result.
        float[] objectness = concat(new float[] {9f, 9f, 9f, 9f}, objectnessNchw(MIXED, 2));
        float[] batchDeltas = concat(filled(16, 3f), deltasNchw(deltas, 2));
        assertArrayEquals(expected, run(options().build(), objectness, 4, batchDeltas, 16, 1, 2, FOUR));
    }

    @Test
    void topKThenFilterCountsInvalidBoxesTowardsPreNmsTopK() {
        float[] proposals = select(options().preNmsTopK(2).minSize(1f).build(), 1, 2, withTinyBest(), DESCENDING);
        // Ranks 1 and 2 are the tiny box (dropped) and n1.
        assertArrayEquals(Arrays.copyOfRange(FOUR, 4, 8), proposals);
    }

    @Test
    void filterThenTopKCountsValidBoxesOnly() {
        float[] proposals = select(options().preNmsTopK(2).minSize(1f).selection(Selection.FILTER_THEN_TOPK).build(),
                1, 2, withTinyBest(), DESCENDING);
        // The tiny box is skipped without using a slot: n1 and n2.
        assertArrayEquals(Arrays.copyOfRange(FOUR, 4, 12), proposals);
    }

    @Test
    void filterThenTopKRanksFloatSigmoidScoresSoSaturatedLogitsTieInAnchorOrder() {
        // n1 is a near copy of n0 (IoU 9 / 11 > 0.7). Logits 20 and 30 both give sigmoid 1.0f: MXNet's box_nms
        // sorts those scores stably, so n0 comes first and suppresses n1; ranked by logit, n1 would win.
        float[] anchors = FOUR.clone();
        System.arraycopy(new float[] {1, 0, 11, 10}, 0, anchors, 4, 4);
        float[] logits = {20f, 30f, 0.7f, 0.6f};
        float[] byScore = select(options().selection(Selection.FILTER_THEN_TOPK).build(), 1, 2, anchors, logits);
        assertArrayEquals(new float[] {0, 0, 10, 10, 20, 0, 30, 10, 20, 20, 30, 40}, byScore);
        float[] byLogit = select(options().build(), 1, 2, anchors, logits);
        assertArrayEquals(new float[] {1, 0, 11, 10, 20, 0, 30, 10, 20, 20, 30, 40}, byLogit);
    }

    @Test
    void filterThenTopKKeepsOnlyPositiveScores() {
        // sigmoid(-200) is 0.0f, not above box_nms's valid_thresh 0.
        float[] logits = {-200f, 0.8f, 0.7f, 0.6f};
        assertArrayEquals(Arrays.copyOfRange(FOUR, 4, 16),
                select(options().selection(Selection.FILTER_THEN_TOPK).build(), 1, 2, FOUR, logits));
        assertEquals(4, select(options().build(), 1, 2, FOUR, logits).length / 4);
    }

    @Test
    void clipsToImageWidthAndHeightNotMinusOne() {
        float[] proposals = select(options().build(), 1, 1, new float[] {-5, -5, 60, 70}, new float[] {1f});
        assertArrayEquals(new float[] {0, 0, IMAGE_W, IMAGE_H}, proposals);
    }

    @Test
    void minSizeIsTestedAfterClipping() {
        // 24 px wide before clipping, 4 after: too small for 5.
        float[] anchors = {-20, 0, 4, 10, 0, 20, 10, 40};
        float[] proposals =
                select(options().minSize(5f).minSizeRule(MinSizeRule.GREATER_OR_EQUAL).build(), 1, 2, anchors,
                        new float[] {0.9f, 0.1f});
        assertArrayEquals(new float[] {0, 20, 10, 40}, proposals);
    }

    @Test
    void boxEntirelyOutsideTheImageCollapsesAndIsDropped() {
        float[] anchors = {-40, -40, -8, -8, 0, 20, 10, 40};
        float[] proposals = select(options().minSize(1e-3f).minSizeRule(MinSizeRule.GREATER_OR_EQUAL).build(), 1, 2,
                anchors, new float[] {0.9f, 0.1f});
        assertArrayEquals(new float[] {0, 20, 10, 40}, proposals);
    }

    @ParameterizedTest(name = "{0}: side {1} vs min 16 -> {2} kept")
    @CsvSource({
        "GREATER, 16, 0",
        "GREATER, 16.5, 1",
        "GREATER_OR_EQUAL, 16, 1",
        "GREATER_OR_EQUAL, 15.5, 0",
        // gluon-cv: (x2 - x1 + 1) >= 16
        "PLUS_ONE_GREATER_OR_EQUAL, 15, 1",
        "PLUS_ONE_GREATER_OR_EQUAL, 14.5, 0",
    })
    void minSizeRules(MinSizeRule rule, float side, int kept) {
        float[] proposals = select(options().minSize(16f).minSizeRule(rule).build(), 1, 1,
                new float[] {0, 0, side, side}, new float[] {0f});
        assertEquals(kept, proposals.length / 4);
    }

    @Test
    void scoreThresholdIsInclusiveAndComparedAsAProbability() {
        float[] anchors = {0, 0, 10, 10, 15, 0, 25, 10, 30, 0, 40, 10};
        float[] logits = {-0.1f, 0f, 0.1f};
        // sigmoid(0) = 0.5 passes ">= 0.5"; sigmoid(-0.1) does not.
        assertArrayEquals(new float[] {30, 0, 40, 10, 15, 0, 25, 10},
                select(options().scoreThreshold(0.5f).build(), 1, 3, anchors, logits));
        // NaN means no threshold.
        assertEquals(3, select(options().build(), 1, 3, anchors, logits).length / 4);
    }

    @Test
    void nonFiniteLogitsAreDroppedAndTheRestSelected() {
        // As detectron2 does: a broken anchor must not cost the frame.
        float[] inf = {Float.POSITIVE_INFINITY, 0.8f, 0.7f, 0.6f};
        assertArrayEquals(Arrays.copyOfRange(FOUR, 4, 16), select(options().build(), 1, 2, FOUR, inf));

        float[] nan = {0.9f, Float.NaN, 0.7f, 0.6f};
        float[] expected = new float[12];
        System.arraycopy(FOUR, 0, expected, 0, 4);
        System.arraycopy(FOUR, 8, expected, 4, 8);
        assertArrayEquals(expected, select(options().build(), 1, 2, FOUR, nan));
    }

    @Test
    void nmsThenPostNmsTopKOnAGeneratedTwoByTwoGrid() {
        // (0, 0, 16, 16), (16, 0, 32, 16), (0, 16, 16, 32), (16, 16, 32, 32)
        float[] anchors = cellSizedGrid(2, 2);
        // Cell (1, 0) moves right by one width onto cell (1, 1), which it then suppresses (IoU 1).
        float[] deltas = new float[16];
        deltas[4 * 2] = 1f;
        float[] expected = {
            0, 0, 16, 16,
            16, 0, 32, 16,
            16, 16, 32, 32,
        };
        assertArrayEquals(expected, select(options().build(), 2, 2, anchors, DESCENDING, deltas));
        float[] capped = select(options().postNmsTopK(2).build(), 2, 2, anchors, DESCENDING, deltas);
        assertArrayEquals(Arrays.copyOf(expected, 8), capped);
    }

    @Test
    void paddingFillsMissingProposalsWithMinusOne() {
        float[] anchors = FOUR.clone();
        // n1 becomes a near copy of n0 (IoU 9 / 11), so 3 of 4 survive.
        System.arraycopy(new float[] {1, 0, 11, 10}, 0, anchors, 4, 4);
        ProposalOptions padded = options().postNmsTopK(5).padProposals(true).build();
        float[] expected = {
            0, 0, 10, 10,
            20, 0, 30, 10,
            20, 20, 30, 40,
            -1, -1, -1, -1,
            -1, -1, -1, -1,
        };
        assertArrayEquals(expected, select(padded, 1, 2, anchors, DESCENDING));
    }

    @Test
    void selectorIsReusableAcrossCalls() {
        ProposalSelector selector = new ProposalSelector(options().build());
        float[] out = new float[16];
        float[] zeros = new float[16];
        // A larger map first, then a smaller one: buffers sized for the first must not leak into the second.
        float[] big = cellSizedGrid(3, 3);
        selector.select(filled(9, 5f), 0, new float[36], 0, 3, 3, big, IMAGE_H, IMAGE_W, new float[36]);

        int count = selector.select(objectnessNchw(MIXED, 2), 0, zeros, 0, 1, 2, FOUR, IMAGE_H, IMAGE_W, out);
        assertEquals(4, count);
        assertArrayEquals(select(options().build(), 1, 2, FOUR, MIXED), out);
    }

    @Test
    void matchesDecodingEveryCandidateBeforeNmsOnRandomMaps() {
        Random random = new Random(5);
        float[] thresholds = {0.7f, 0.5f, 0.3f, 0f, 1f};
        for (int trial = 0; trial < 300; trial++) {
            int featH = 1 + random.nextInt(10);
            int featW = 1 + random.nextInt(12);
            AnchorStyle style = AnchorStyle.values()[random.nextInt(AnchorStyle.values().length)];
            float[] anchors = new AnchorGenerator(
                    new AnchorOptions(style, 16, new float[] {16, 32, 64}, new float[] {0.5f, 1f, 2f}, 0f))
                    .anchors(featH, featW);
            int total = anchors.length / 4;
            ProposalOptions options = ProposalOptions.builder()
                    .preNmsTopK(1 + random.nextInt(total + 5))
                    .postNmsTopK(1 + random.nextInt(random.nextBoolean() ? 10 : total + 5))
                    .nmsThreshold(thresholds[random.nextInt(thresholds.length)])
                    .minSize(new float[] {0f, 4f, 16f}[random.nextInt(3)])
                    .minSizeRule(MinSizeRule.values()[random.nextInt(MinSizeRule.values().length)])
                    .scoreThreshold(new float[] {Float.NaN, 0.5f, 0.3f}[random.nextInt(3)])
                    .selection(Selection.values()[random.nextInt(Selection.values().length)])
                    .padProposals(random.nextBoolean())
                    .boxCoder(random.nextBoolean() ? UNIT
                            : new BoxCoder(new float[] {1, 1, 1, 1}, BoxCoder.Mode.MULTIPLY, Float.NaN))
                    .build();
            int imageH = featH * 16 - random.nextInt(16);
            int imageW = featW * 16 - random.nextInt(16);
            float[] objectness = randomLogits(random, total);
            float[] deltas = randomDeltas(random, 4 * total);
            assertArrayEquals(reference(options, objectness, deltas, featH, featW, anchors, imageH, imageW),
                    run(options, objectness, 0, deltas, 0, featH, featW, anchors, imageH, imageW), "trial " + trial);
        }
    }

    @Test
    void matchesDecodingEveryCandidateBeforeNmsAtGluonCvScale() {
        // Spec A.6 on a 600 x 800 input: 38 x 50 x 15 = 28,500 anchors, 6000 candidates, NMS 0.7, 300 kept.
        ProposalOptions gluonCv = ProposalOptions.builder()
                .preNmsTopK(6000)
                .postNmsTopK(300)
                .nmsThreshold(0.7f)
                .minSize(16f)
                .minSizeRule(MinSizeRule.PLUS_ONE_GREATER_OR_EQUAL)
                .selection(Selection.FILTER_THEN_TOPK)
                .padProposals(true)
                .boxCoder(new BoxCoder(new float[] {1, 1, 1, 1}, BoxCoder.Mode.MULTIPLY, Float.NaN))
                .build();
        float[] anchors = new AnchorGenerator(
                new AnchorOptions(AnchorStyle.GLUONCV, 16, new float[] {32, 64, 128, 256, 512},
                new float[] {0.5f, 1f, 2f}, 0f)).anchors(38, 50);
        Random random = new Random(9);
        for (int trial = 0; trial < 2; trial++) {
            float[] objectness = clusteredLogits(random, anchors, 38 * 50, 600, 800);
            float[] deltas = randomDeltas(random, anchors.length);
            assertArrayEquals(reference(gluonCv, objectness, deltas, 38, 50, anchors, 600, 800),
                    run(gluonCv, objectness, 0, deltas, 0, 38, 50, anchors, 600, 800), "trial " + trial);
        }
    }

    /**
     * The selection as its definition reads, in two passes: rank every anchor (stable, NaN last), decode, clip
     * and filter the ones that count towards preNmsTopK, then {@link ReferenceNms} over all of them. The score
     * threshold is compared as a probability. BoxCoder is the production one (BoxCoderTest checks it).
     */
    private static float[] reference(ProposalOptions o, float[] objectness, float[] deltas, int featH, int featW,
            float[] anchors, int imageH, int imageW) {
        int plane = featH * featW;
        int total = anchors.length / 4;
        int perCell = total / plane;
        // MXNet's box_nms (filter-then-topk) ranks the float32 sigmoid scores and counts only scores > 0.
        boolean boxNms = o.selection() == Selection.FILTER_THEN_TOPK;
        float[] logits = new float[total];
        for (int n = 0; n < total; n++) {
            float v = objectness[(n % perCell) * plane + n / perCell];
            logits[n] = Float.isNaN(v) ? Float.NEGATIVE_INFINITY : boxNms ? 1f / (1f + (float) Math.exp(-v)) : v;
        }
        Integer[] order = ReferenceNms.stableOrder(logits, total);
        float[] boxes = new float[4 * total];
        float[] scores = new float[total];
        int candidates = 0;
        int considered = 0;
        for (int rank = 0; rank < total && considered < o.preNmsTopK(); rank++) {
            int n = order[rank];
            if (o.selection() == Selection.TOPK_THEN_FILTER) {
                considered++;
            }
            int b = 4 * candidates;
            o.boxCoder().decode(anchors, 4 * n, deltas, 4 * (n % perCell) * plane + n / perCell, plane, boxes, b);
            for (int k = 0; k < 4; k++) {
                boxes[b + k] = Math.min(Math.max(boxes[b + k], 0f), k % 2 == 0 ? imageW : imageH);
            }
            float w = boxes[b + 2] - boxes[b];
            float h = boxes[b + 3] - boxes[b + 1];
            float min = o.minSize();
            boolean large = switch (o.minSizeRule()) {
                case GREATER -> w > min && h > min;
                case GREATER_OR_EQUAL -> w >= min && h >= min;
                case PLUS_ONE_GREATER_OR_EQUAL -> w + 1 >= min && h + 1 >= min;
            };
            boolean finite = Float.isFinite(boxes[b]) && Float.isFinite(boxes[b + 1]) && Float.isFinite(w)
                    && Float.isFinite(h) && Float.isFinite(logits[n]);
            float probability = boxNms ? logits[n] : (float) (1 / (1 + Math.exp(-logits[n])));
            boolean scoreOk = (!boxNms || probability > 0f)
                    && (Float.isNaN(o.scoreThreshold()) || probability >= o.scoreThreshold());
            if (!(large && finite && scoreOk)) {
                continue;
            }
            scores[candidates++] = logits[n];
            if (o.selection() == Selection.FILTER_THEN_TOPK) {
                considered++;
            }
        }
        int[] keep = ReferenceNms.keep(boxes, scores, null, candidates, o.nmsThreshold(), o.postNmsTopK());
        int rows = o.padProposals() ? o.postNmsTopK() : keep.length;
        float[] out = new float[4 * rows];
        Arrays.fill(out, -1f);
        for (int k = 0; k < keep.length; k++) {
            System.arraycopy(boxes, 4 * keep[k], out, 4 * k, 4);
        }
        return out;
    }

    /** {@code [A, h, w]} logits with ties (an int8-like grid), a few NaN and infinities. */
    private static float[] randomLogits(Random random, int total) {
        float[] out = new float[total];
        for (int i = 0; i < total; i++) {
            int kind = random.nextInt(30);
            out[i] = kind == 0 ? Float.NaN
                    : kind == 1 ? Float.POSITIVE_INFINITY
                    : kind == 2 ? Float.NEGATIVE_INFINITY
                    : kind < 15 ? random.nextInt(40) / 8f - 2.5f
                    : (float) random.nextGaussian() * 2;
        }
        return out;
    }

    /** {@code [4A, h, w]} deltas, mostly small, now and then large enough to overflow exp. */
    private static float[] randomDeltas(Random random, int length) {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = random.nextInt(500) == 0 ? 100f : (float) random.nextGaussian() * 0.3f;
        }
        return out;
    }

    /** {@code [A, h, w]} logits that rise with the anchor's overlap with one of a dozen random objects. */
    private static float[] clusteredLogits(Random random, float[] anchors, int plane, int imageH, int imageW) {
        float[] objects = new float[4 * 12];
        for (int o = 0; o < 12; o++) {
            float w = imageW * (0.05f + 0.45f * random.nextFloat());
            float h = imageH * (0.05f + 0.45f * random.nextFloat());
            objects[4 * o] = (imageW - w) * random.nextFloat();
            objects[4 * o + 1] = (imageH - h) * random.nextFloat();
            objects[4 * o + 2] = objects[4 * o] + w;
            objects[4 * o + 3] = objects[4 * o + 1] + h;
        }
        int total = anchors.length / 4;
        int perCell = total / plane;
        float[] out = new float[total];
        for (int n = 0; n < total; n++) {
            float best = 0f;
            for (int o = 0; o < 12; o++) {
                float[] pair = concat(Arrays.copyOfRange(anchors, 4 * n, 4 * n + 4), Arrays.copyOfRange(objects, 4 * o,
                        4 * o + 4));
                best = Math.max(best, ReferenceNms.iou(pair, 0, 1));
            }
            out[(n % perCell) * plane + n / perCell] = (float) (random.nextGaussian() * 1.5 - 4 + 10 * best);
        }
        return out;
    }

    private static float[] filled(int length, float value) {
        float[] out = new float[length];
        Arrays.fill(out, value);
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
