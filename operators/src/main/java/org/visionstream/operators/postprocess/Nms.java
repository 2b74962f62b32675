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
        float[] areas = new float[n];
        for (int i = 0; i < n; i++) {
            areas[i] = area(boxes, i);
        }
        boolean[] suppressed = new boolean[n];
        int kept = 0;
        for (int oi = 0; oi < n && kept < maxOut; oi++) {
            int i = order[oi];
            if (suppressed[i]) {
                continue;
            }
            keepOut[kept++] = i;
            float ix1 = boxes[4 * i];
            float iy1 = boxes[4 * i + 1];
            float ix2 = boxes[4 * i + 2];
            float iy2 = boxes[4 * i + 3];
            for (int oj = oi + 1; oj < n; oj++) {
                int j = order[oj];
                if (suppressed[j] || (groups != null && groups[j] != groups[i])) {
                    continue;
                }
                float w = Math.max(0f, Math.min(ix2, boxes[4 * j + 2]) - Math.max(ix1, boxes[4 * j]));
                float h = Math.max(0f, Math.min(iy2, boxes[4 * j + 3]) - Math.max(iy1, boxes[4 * j + 1]));
                float inter = w * h;
                // NaN (0 / 0 for two empty boxes) never suppresses.
                if (inter / (areas[i] + areas[j] - inter) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return kept;
    }

    /** Indices of the first {@code n} scores, by score descending, ties by index ascending. */
    public static int[] sortedByScore(float[] scores, int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            float s = scores[i];
            if (Float.isNaN(s)) {
                throw new IllegalArgumentException("NaN score at index " + i);
            }
            int bits = Float.floatToIntBits(s == 0f ? 0f : s); // -0 sorts as 0
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) ~sortable << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    static float area(float[] boxes, int i) {
        float w = boxes[4 * i + 2] - boxes[4 * i];
        float h = boxes[4 * i + 3] - boxes[4 * i + 1];
        return w < 0f || h < 0f ? 0f : w * h;
    }
}
