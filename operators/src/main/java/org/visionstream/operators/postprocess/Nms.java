package org.visionstream.operators.postprocess;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression on primitive arrays. Boxes are {@code x1, y1, x2, y2}; IoU has no +1
 * and a box with a negative side has area 0; a box is suppressed when its IoU with a kept box is
 * strictly greater than the threshold. Order is by score, descending, ties broken by lower index
 * (stable, as torchvision and MXNet sort). NaN scores are rejected.
 */
public final class Nms {

    private Nms() {}

    /** Keeps at most {@code maxOut} of the first {@code n} boxes; writes their indices, best first. */
    public static int nms(float[] boxes, float[] scores, int n, float iouThreshold, int maxOut, int[] keepOut) {
        return batchedNms(boxes, scores, null, n, iouThreshold, maxOut, keepOut);
    }

    /**
     * As {@link #nms}, but boxes only suppress boxes of the same group (class); {@code groups} null means
     * one group. Kept indices come out sorted by score, descending.
     */
    public static int batchedNms(
            float[] boxes, float[] scores, int[] groups, int n, float iouThreshold, int maxOut, int[] keepOut) {
        int[] order = sortedByScore(scores, n);
        // Boxes copied in score order and a list of the still-alive ranks that shrinks as boxes are
        // suppressed: each kept box scans only the survivors, sequentially in memory.
        float[] sorted = new float[4 * n];
        float[] areas = new float[n];
        int[] alive = new int[n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(boxes, 4 * order[r], sorted, 4 * r, 4);
            areas[r] = area(sorted, r);
            alive[r] = r;
        }
        int aliveCount = n;
        int kept = 0;
        while (aliveCount > 0 && kept < maxOut) {
            int k = alive[0];
            keepOut[kept++] = order[k];
            float kx1 = sorted[4 * k];
            float ky1 = sorted[4 * k + 1];
            float kx2 = sorted[4 * k + 2];
            float ky2 = sorted[4 * k + 3];
            float kArea = areas[k];
            int group = groups == null ? 0 : groups[order[k]];
            int survivors = 0;
            for (int t = 1; t < aliveCount; t++) {
                int r = alive[t];
                if (groups == null || groups[order[r]] == group) {
                    float w = Math.max(0f, Math.min(kx2, sorted[4 * r + 2]) - Math.max(kx1, sorted[4 * r]));
                    float h = Math.max(0f, Math.min(ky2, sorted[4 * r + 3]) - Math.max(ky1, sorted[4 * r + 1]));
                    float inter = w * h;
                    // NaN (0 / 0 for two empty boxes) never suppresses.
                    if (inter / (kArea + areas[r] - inter) > iouThreshold) {
                        continue;
                    }
                }
                alive[survivors++] = r;
            }
            aliveCount = survivors;
        }
        return kept;
    }

    /** Indices of the first {@code n} scores, by score descending, ties by index ascending. */
    public static int[] sortedByScore(float[] scores, int n) {
        return topByScore(scores, n, n);
    }

    /**
     * The {@code k} best of the first {@code n} scores, in the order of {@link #sortedByScore}: a
     * selection in linear time, then a sort of the {@code k} alone (the RPN keeps 1000 of 7500 and more).
     */
    public static int[] topByScore(float[] scores, int n, int k) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            float s = scores[i];
            if (Float.isNaN(s)) {
                throw new IllegalArgumentException("NaN score at index " + i);
            }
            int bits = Float.floatToIntBits(s == 0f ? 0f : s); // -0 sorts as 0
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) ~sortable << 32) | i; // ascending keys = descending scores, then index
        }
        int m = Math.min(k, n);
        if (m < n) {
            selectSmallest(keys, m);
        }
        Arrays.sort(keys, 0, m);
        int[] order = new int[m];
        for (int i = 0; i < m; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Moves the {@code m} smallest keys (all distinct) into {@code keys[0, m)}, in any order. */
    private static void selectSmallest(long[] keys, int m) {
        int lo = 0;
        int hi = keys.length - 1;
        while (lo < hi) {
            long pivot = median(keys[lo], keys[(lo + hi) >>> 1], keys[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = keys[i];
                    keys[i++] = keys[j];
                    keys[j--] = t;
                }
            }
            // Now keys[lo..j] <= pivot <= keys[i..hi]; continue in the part that holds position m.
            if (m - 1 <= j) {
                hi = j;
            } else if (m - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static long median(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    static float area(float[] boxes, int i) {
        float w = boxes[4 * i + 2] - boxes[4 * i];
        float h = boxes[4 * i + 3] - boxes[4 * i + 1];
        return w < 0f || h < 0f ? 0f : w * h;
    }
}
