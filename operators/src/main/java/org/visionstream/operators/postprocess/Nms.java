package org.visionstream.operators.postprocess;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression on primitive arrays. Boxes are {@code x1, y1, x2, y2}; IoU has no +1
 * and a box with a negative side has area 0; a box is suppressed when its IoU with a kept box is
 * strictly greater than the threshold. Order is by score, descending, ties broken by lower index
 * (stable, as torchvision and MXNet sort). NaN scores are rejected.
 *
 * <p>An instance holds reusable scratch (not thread-safe); the static methods make one per call.
 */
public final class Nms {

    private final ScoreRanking ranking = new ScoreRanking();
    private final GreedySuppressor suppressor = new GreedySuppressor();
    private int[] groupStarts = new int[0];
    private int[] ranksByGroup = new int[0];
    private boolean[] keptRanks = new boolean[0];

    Nms() {}

    /** Keeps at most {@code maxOut} of the first {@code n} boxes; writes their indices, best first. */
    public static int nms(float[] boxes, float[] scores, int n, float iouThreshold, int maxOut, int[] keepOut) {
        return new Nms().select(boxes, scores, null, n, iouThreshold, maxOut, keepOut);
    }

    /**
     * As {@link #nms}, but boxes only suppress boxes of the same group (class); {@code groups} null means
     * one group, otherwise groups are small non-negative ids (class indices). Kept indices come out sorted by
     * score, descending.
     */
    public static int batchedNms(
            float[] boxes, float[] scores, int[] groups, int n, float iouThreshold, int maxOut, int[] keepOut) {
        return new Nms().select(boxes, scores, groups, n, iouThreshold, maxOut, keepOut);
    }

    /** {@link #batchedNms} with this object's scratch. */
    int select(float[] boxes, float[] scores, int[] groups, int n, float iouThreshold, int maxOut, int[] keepOut) {
        ranking.rank(scores, n);
        int cap = Math.min(maxOut, n);
        if (cap <= 0) {
            return 0;
        }
        suppressor.reset(iouThreshold);
        if (groups == null) {
            for (int r = 0; r < n && suppressor.count() < cap; r++) {
                int i = ranking.get(r);
                if (suppressor.offer(boxes, 4 * i)) {
                    keepOut[suppressor.count() - 1] = i;
                }
            }
            return suppressor.count();
        }
        // Groups never suppress each other, so each runs on its own (in rank order, a counting sort keeps it)
        // against a short kept list; the first maxOut survivors overall hold at most maxOut of any one group.
        int groupCount = groupRuns(groups, n);
        Arrays.fill(keptRanks, 0, n, false);
        for (int g = 0; g < groupCount; g++) {
            suppressor.reset(iouThreshold);
            for (int at = groupStarts[g]; at < groupStarts[g + 1] && suppressor.count() < cap; at++) {
                int r = ranksByGroup[at];
                if (suppressor.offer(boxes, 4 * ranking.get(r))) {
                    keptRanks[r] = true;
                }
            }
        }
        int kept = 0;
        for (int r = 0; r < n && kept < cap; r++) {
            if (keptRanks[r]) {
                keepOut[kept++] = ranking.get(r);
            }
        }
        return kept;
    }

    /** Fills {@code ranksByGroup} with the ranks {@code 0..n-1} grouped, rank order kept within a group. */
    private int groupRuns(int[] groups, int n) {
        int groupCount = 0;
        for (int i = 0; i < n; i++) {
            if (groups[i] < 0) {
                throw new IllegalArgumentException("negative group " + groups[i] + " at index " + i);
            }
            groupCount = Math.max(groupCount, groups[i] + 1);
        }
        if (groupStarts.length < groupCount + 1) {
            groupStarts = new int[groupCount + 1];
        }
        if (ranksByGroup.length < n) {
            ranksByGroup = new int[n];
            keptRanks = new boolean[n];
        }
        Arrays.fill(groupStarts, 0, groupCount + 1, 0);
        for (int i = 0; i < n; i++) {
            groupStarts[groups[i] + 1]++;
        }
        for (int g = 0; g < groupCount; g++) {
            groupStarts[g + 1] += groupStarts[g];
        }
        for (int r = 0; r < n; r++) {
            ranksByGroup[groupStarts[groups[ranking.get(r)]]++] = r;
        }
        // Scattering moved each group's start to its end, the next group's start: shift back by one group.
        System.arraycopy(groupStarts, 0, groupStarts, 1, groupCount);
        groupStarts[0] = 0;
        return groupCount;
    }

    /** Indices of the first {@code n} scores, by score descending, ties by index ascending. */
    public static int[] sortedByScore(float[] scores, int n) {
        return topByScore(scores, n, n);
    }

    /** The {@code k} best of the first {@code n} scores, in the order of {@link #sortedByScore}. */
    public static int[] topByScore(float[] scores, int n, int k) {
        ScoreRanking ranking = new ScoreRanking();
        ranking.rank(scores, n);
        int[] out = new int[Math.max(0, Math.min(k, n))];
        for (int r = 0; r < out.length; r++) {
            out[r] = ranking.get(r);
        }
        return out;
    }

    static float area(float[] boxes, int i) {
        return area(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
    }

    static float area(float x1, float y1, float x2, float y2) {
        float w = x2 - x1;
        float h = y2 - y1;
        return w < 0f || h < 0f ? 0f : w * h;
    }
}
