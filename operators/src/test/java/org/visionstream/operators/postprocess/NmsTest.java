package org.visionstream.operators.postprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

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
}
