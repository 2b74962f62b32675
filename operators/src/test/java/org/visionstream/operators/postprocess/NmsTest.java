package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NmsTest {

    /** Runs {@link Nms#nms} over all boxes with no output cap; returns the kept indices in order. */
    private static int[] nms(float[] boxes, float[] scores, float threshold) {
        return batched(boxes, scores, null, threshold, Integer.MAX_VALUE);
    }

    private static int[] batched(float[] boxes, float[] scores, int[] groups, float threshold, int maxOut) {
        int[] keep = new int[scores.length];
        int kept = groups == null
                ? Nms.nms(boxes, scores, scores.length, threshold, maxOut, keep)
                : Nms.batchedNms(boxes, scores, groups, scores.length, threshold, maxOut, keep);
        return Arrays.copyOf(keep, kept);
    }

    /** {@code count} unit-height boxes 10 px wide, 100 px apart: no two overlap. */
    private static float[] disjoint(int count) {
        float[] boxes = new float[4 * count];
        for (int i = 0; i < count; i++) {
            boxes[4 * i] = 100f * i;
            boxes[4 * i + 2] = 100f * i + 10f;
            boxes[4 * i + 3] = 1f;
        }
        return boxes;
    }

    @Test
    void emptyInputKeepsNothing() {
        assertEquals(0, Nms.nms(new float[0], new float[0], 0, 0.5f, 10, new int[0]));
    }

    @Test
    void singleBoxIsKept() {
        assertArrayEquals(new int[] {0}, nms(new float[] {0, 0, 10, 10}, new float[] {0.3f}, 0.5f));
    }

    @Test
    void onlyTheBestOfAClusterSurvives() {
        // Each box is shifted by 1 px from the last: IoU with the best (index 2) is 2 / 3 or 9 / 11.
        float[] boxes = {
            0, 0, 10, 10,
            1, 0, 11, 10,
            2, 0, 12, 10,
            3, 0, 13, 10,
        };
        assertArrayEquals(new int[] {2}, nms(boxes, new float[] {0.5f, 0.6f, 0.9f, 0.7f}, 0.5f));
    }

    @Test
    void disjointBoxesComeOutByScoreDescending() {
        assertArrayEquals(new int[] {2, 0, 3, 1}, nms(disjoint(4), new float[] {0.5f, 0.1f, 0.9f, 0.2f}, 0.5f));
    }

    @Test
    void equalScoresKeepTheLowerIndexFirst() {
        // Disjoint: order is by index among ties.
        assertArrayEquals(new int[] {1, 0, 2}, nms(disjoint(3), new float[] {0.5f, 0.9f, 0.5f}, 0.5f));
        // Identical boxes with equal scores: the lower index wins and suppresses the other.
        float[] twins = {0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10};
        assertArrayEquals(new int[] {0}, nms(twins, new float[] {0.4f, 0.4f, 0.4f}, 0.5f));
    }

    @Test
    void negativeZeroTiesWithZeroAndNegativeScoresSortBelow() {
        float[] scores = {-0f, -1f, 0f, Float.NEGATIVE_INFINITY, 2f, Float.POSITIVE_INFINITY};
        assertArrayEquals(new int[] {5, 4, 0, 2, 1, 3}, Nms.sortedByScore(scores, scores.length));
    }

    @Test
    void topByScoreIsThePrefixOfTheFullOrderEvenWithManyTies() {
        Random random = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + random.nextInt(8000);
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                scores[i] = random.nextInt(50) * 0.25f - 6f; // int8-like logits: few distinct values
            }
            int k = random.nextInt(n + 10);
            int[] full = Nms.sortedByScore(scores, n);
            assertArrayEquals(Arrays.copyOf(full, Math.min(k, n)), Nms.topByScore(scores, n, k), "n=" + n + " k=" + k);
        }
    }

    @Test
    void suppressedBoxesDoNotSuppressOthers() {
        // IoU(A, B) = IoU(B, C) = 7 / 13 > 0.5 but IoU(A, C) = 4 / 16: greedy keeps A and C.
        float[] boxes = {
            0, 0, 10, 1,
            3, 0, 13, 1,
            6, 0, 16, 1,
        };
        assertArrayEquals(new int[] {0, 2}, nms(boxes, new float[] {0.9f, 0.8f, 0.7f}, 0.5f));
    }

    @Test
    void zeroAreaBoxesAreNeverSuppressed() {
        float[] boxes = {
            0, 0, 10, 10, // big box
            5, 5, 5, 5, // a point inside it: IoU 0
            5, 5, 5, 5, // the same point again: IoU 0 / 0 = NaN, which never suppresses
            8, 2, 2, 8, // inverted (negative width): area 0, no intersection
        };
        assertArrayEquals(new int[] {0, 1, 2, 3}, nms(boxes, new float[] {0.9f, 0.8f, 0.7f, 0.6f}, 0f));
    }

    @Test
    void areaIsZeroWhenASideIsNegative() {
        // Both sides negative would otherwise give a positive product (MXNet's rule, spec A.12).
        float[] boxes = {0, 0, 4, 3, 10, 10, 0, 0, 8, 2, 2, 8};
        assertEquals(12f, Nms.area(boxes, 0));
        assertEquals(0f, Nms.area(boxes, 1));
        assertEquals(0f, Nms.area(boxes, 2));
    }

    @Test
    void nanScoreIsRejectedWithItsIndex() {
        float[] boxes = disjoint(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> nms(boxes, new float[] {0.5f, Float.NaN, 0.2f}, 0.5f));
        assertEquals("NaN score at index 1", e.getMessage());
    }

    @Test
    void scoresBeyondTheCountAreIgnored() {
        // Only the first n are read, so a NaN after them is not seen.
        int[] keep = new int[2];
        int kept = Nms.nms(disjoint(3), new float[] {0.1f, 0.2f, Float.NaN}, 2, 0.5f, 10, keep);
        assertEquals(2, kept);
        assertArrayEquals(new int[] {1, 0}, keep);
    }

    @Test
    void iouEqualToTheThresholdDoesNotSuppress() {
        // Areas 3 and 3, intersection 2, union 4: IoU is exactly 0.5.
        float[] half = {0, 0, 3, 1, 1, 0, 4, 1};
        float[] scores = {0.9f, 0.8f};
        assertArrayEquals(new int[] {0, 1}, nms(half, scores, 0.5f));
        assertArrayEquals(new int[] {0}, nms(half, scores, Math.nextDown(0.5f)));

        // Nested boxes, areas 10 and 7: IoU = 7f / 10f, which is the float 0.7f (the RPN threshold).
        float[] nested = {0, 0, 10, 1, 0, 0, 7, 1};
        assertArrayEquals(new int[] {0, 1}, nms(nested, scores, 0.7f));
        assertArrayEquals(new int[] {0}, nms(nested, scores, Math.nextDown(0.7f)));
    }

    @Test
    void batchedNmsSuppressesOnlyWithinAGroup() {
        float[] boxes = {
            0, 0, 10, 10,
            0, 0, 10, 10,
            1, 0, 11, 10,
            50, 50, 60, 60,
        };
        float[] scores = {0.6f, 0.9f, 0.8f, 0.7f};
        // Same box in groups 0 and 1 survives twice; index 2 is a near copy of index 1 in group 1.
        assertArrayEquals(new int[] {1, 3, 0}, batched(boxes, scores, new int[] {0, 1, 1, 0}, 0.5f, 10));
        // One group: the best box suppresses the two that overlap it.
        assertArrayEquals(new int[] {1, 3}, batched(boxes, scores, new int[] {2, 2, 2, 2}, 0.5f, 10));
    }

    @Test
    void maxOutCapsTheBestFirst() {
        float[] scores = {0.5f, 0.1f, 0.9f, 0.2f, 0.7f};
        assertArrayEquals(new int[] {2, 4, 0}, batched(disjoint(5), scores, null, 0.5f, 3));
        assertArrayEquals(new int[0], batched(disjoint(5), scores, null, 0.5f, 0));
    }

    @Test
    void maxOutCountsKeptBoxesNotCandidates() {
        // The second best is suppressed, so the cap of 2 reaches down to the third.
        float[] boxes = {0, 0, 10, 10, 1, 0, 11, 10, 50, 0, 60, 10};
        assertArrayEquals(new int[] {0, 2}, batched(boxes, new float[] {0.9f, 0.8f, 0.7f}, null, 0.5f, 2));
    }

    @Test
    void negativeGroupIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> batched(disjoint(2), new float[] {0.5f, 0.4f}, new int[] {0, -1}, 0.5f, 10));
        assertEquals("negative group -1 at index 1", e.getMessage());
    }

    @Test
    void suppressionFlipsExactlyAtTheFloatIoUOfTheDefinition() {
        // Arbitrary float corners: any other order of the float operations moves some IoUs by an ulp, and a
        // threshold at that IoU (kept) or one ulp below it (suppressed) then shows it.
        Random random = new Random(3);
        Nms nms = new Nms();
        int[] keep = new int[2];
        for (int trial = 0; trial < 20000; trial++) {
            float[] boxes = new float[8];
            for (int b = 0; b < 2; b++) {
                float x = random.nextFloat() * 50;
                float y = random.nextFloat() * 50;
                boxes[4 * b] = x;
                boxes[4 * b + 1] = y;
                boxes[4 * b + 2] = x + 1 + random.nextFloat() * 100;
                boxes[4 * b + 3] = y + 1 + random.nextFloat() * 100;
            }
            float iou = ReferenceNms.iou(boxes, 0, 1);
            float[] scores = {0.9f, 0.8f};
            assertEquals(2, nms.select(boxes, scores, null, 2, iou, 2, keep), "IoU " + iou + " does not pass itself");
            if (iou > 0f) {
                assertEquals(1, nms.select(boxes, scores, null, 2, Math.nextDown(iou), 2, keep), "IoU " + iou);
            }
        }
    }

    /** Thresholds of both stages, the edges 0 and 1, one above 1 and a negative one (every IoU of 0 passes it). */
    private static final float[] THRESHOLDS = {0.7f, 0.3f, 0.5f, 0f, 1f, 1.5f, -0.25f};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesTheDefinitionOnRandomClusteredBoxes(long seed) {
        Random random = new Random(seed);
        Nms reused = new Nms(); // one instance across trials: its scratch must not leak between calls
        for (int trial = 0; trial < 60; trial++) {
            int n = random.nextInt(trial % 10 == 0 ? 1500 : 200);
            float[] boxes = randomBoxes(random, n);
            float[] scores = randomScores(random, n);
            int[] groups = random.nextBoolean() ? null : randomGroups(random, n);
            float threshold = THRESHOLDS[random.nextInt(THRESHOLDS.length)];
            int maxOut = random.nextBoolean() ? n + 1 : random.nextInt(n + 2);
            int[] expected = ReferenceNms.keep(boxes, scores, groups, n, threshold, maxOut);
            int[] keep = new int[n];
            int kept = reused.select(boxes, scores, groups, n, threshold, maxOut, keep);
            String what = "trial " + trial + ": n=" + n + " t=" + threshold + " maxOut=" + maxOut + " groups="
                    + (groups != null);
            assertArrayEquals(expected, Arrays.copyOf(keep, kept), what);
        }
    }

    /**
     * Boxes on a quarter-pixel grid around a few centres, so many pairs overlap, some are exact copies and some
     * IoUs land exactly on a threshold; a few are empty, inverted or huge.
     */
    static float[] randomBoxes(Random random, int n) {
        int clusters = 1 + random.nextInt(8);
        float[] centres = new float[4 * clusters];
        for (int c = 0; c < clusters; c++) {
            centres[4 * c] = random.nextInt(400);
            centres[4 * c + 1] = random.nextInt(300);
            centres[4 * c + 2] = 8 + random.nextInt(200);
            centres[4 * c + 3] = 8 + random.nextInt(200);
        }
        float[] boxes = new float[4 * n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(40);
            if (kind == 0 && i > 0) {
                System.arraycopy(boxes, 4 * random.nextInt(i), boxes, 4 * i, 4);
                continue;
            }
            int c = random.nextInt(clusters);
            float w = centres[4 * c + 2] + jitter(random, 0.2f * centres[4 * c + 2]);
            float h = centres[4 * c + 3] + jitter(random, 0.2f * centres[4 * c + 3]);
            float x = centres[4 * c] + jitter(random, 0.3f * w);
            float y = centres[4 * c + 1] + jitter(random, 0.3f * h);
            switch (kind) {
                case 1 -> w = 0f;
                case 2 -> w = -w;
                case 3 -> {
                    w *= 1e6f;
                    h *= 1e6f;
                }
                default -> { }
            }
            boxes[4 * i] = x;
            boxes[4 * i + 1] = y;
            boxes[4 * i + 2] = x + w;
            boxes[4 * i + 3] = y + h;
        }
        return boxes;
    }

    private static float jitter(Random random, float range) {
        return Math.round((random.nextFloat() * 2 - 1) * range * 4) / 4f;
    }

    /** Few distinct values (many ties), both zeros, negatives and infinities. */
    static float[] randomScores(Random random, int n) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -3f, 1f};
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            scores[i] = kind == 0 ? special[random.nextInt(special.length)]
                    : kind < 5 ? random.nextInt(20) / 8f
                    : random.nextFloat();
        }
        return scores;
    }

    private static int[] randomGroups(Random random, int n) {
        int count = 1 + random.nextInt(6);
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) {
            groups[i] = random.nextInt(count);
        }
        return groups;
    }
}
