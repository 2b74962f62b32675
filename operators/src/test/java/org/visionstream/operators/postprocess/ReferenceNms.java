package org.visionstream.operators.postprocess;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy NMS written straight from its definition (spec A.12, torchvision's batched_nms), O(n^2) and with no
 * shortcut: the oracle that the optimised {@link Nms}, {@link ProposalSelector} and {@link DetectionDecoder}
 * must match bit for bit. Stable sort by score (-0 as 0), then each box not yet suppressed is kept and
 * suppresses every later box of its group whose IoU with it exceeds the threshold.
 */
final class ReferenceNms {

    private ReferenceNms() {}

    /** Kept indices, best first; {@code groups} null means one group. */
    static int[] keep(float[] boxes, float[] scores, int[] groups, int n, float threshold, int maxOut) {
        Integer[] order = stableOrder(scores, n);
        boolean[] suppressed = new boolean[n];
        List<Integer> kept = new ArrayList<>();
        for (int x = 0; x < n && kept.size() < maxOut; x++) {
            int i = order[x];
            if (suppressed[i]) {
                continue;
            }
            kept.add(i);
            for (int y = x + 1; y < n; y++) {
                int j = order[y];
                if ((groups == null || groups[i] == groups[j]) && iou(boxes, i, j) > threshold) {
                    suppressed[j] = true;
                }
            }
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Indices by score descending, ties by index: Arrays.sort on objects is a stable merge sort. */
    static Integer[] stableOrder(float[] scores, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(zeroed(scores[b]), zeroed(scores[a])));
        return order;
    }

    private static float zeroed(float s) {
        return s == 0f ? 0f : s;
    }

    /** IoU of kept box {@code k} with box {@code j}: no +1, intersection clamped at 0, NaN for two empty boxes. */
    static float iou(float[] boxes, int k, int j) {
        float w = Math.max(0f, Math.min(boxes[4 * k + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * k], boxes[4 * j]));
        float h = Math.max(0f,
                Math.min(boxes[4 * k + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * k + 1], boxes[4 * j + 1]));
        float inter = w * h;
        return inter / (area(boxes, k) + area(boxes, j) - inter);
    }

    /** {@code w * h}, but 0 when a side is negative (MXNet's rule). */
    static float area(float[] boxes, int i) {
        float w = boxes[4 * i + 2] - boxes[4 * i];
        float h = boxes[4 * i + 3] - boxes[4 * i + 1];
        return w < 0f || h < 0f ? 0f : w * h;
    }
}
