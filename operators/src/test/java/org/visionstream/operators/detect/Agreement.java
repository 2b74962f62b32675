package org.visionstream.operators.detect;

import java.util.List;
import org.visionstream.operators.track.internal.Hungarian;

/**
 * How two detectors agree on an image: of the confident detections on either side ({@code confident}),
 * those paired with a detection of the other side ({@code matched}). Pairing is one to one, an optimal
 * assignment (the most confident detections any one-to-one pairing can match), so a detection vouches for
 * one counterpart only. A copy of a box has the same candidates as the box, so it is paired only where
 * the other side holds a second detection that box could pair with; otherwise it can only add to
 * {@code confident}. Under the strict criterion (IoU >= 0.9) that second detection cannot exist between
 * boxes the model's per-class NMS at 0.5 kept: 1 - IoU is a metric, so two boxes within 0.9 of a third
 * overlap each other by at least 0.8.
 */
record Agreement(int confident, int matched) {

    static final Agreement NONE = new Agreement(0, 0);

    /**
     * Detections that may be paired: same class, IoU at least {@code minIou}, scores at most
     * {@code maxScoreDiff} apart. A detection counts as confident from {@code minScore} on; its counterpart
     * may score lower, so that a 0.31 and a 0.29 still agree.
     */
    record Criterion(String name, float minScore, float minIou, float maxScoreDiff) {

        boolean matches(Detection a, Detection b) {
            return a.classId() == b.classId() && iou(a, b) >= minIou && Math.abs(a.score() - b.score()) <= maxScoreDiff;
        }

        Agreement of(List<Detection> a, List<Detection> b) {
            int confident = (int) (a.stream().filter(this::confident).count() + b.stream().filter(this::confident).count());
            return new Agreement(confident, a.size() <= b.size() ? pair(a, b) : pair(b, a));
        }

        private boolean confident(Detection d) {
            return d.score() >= minScore;
        }

        /** The most confident detections (of both lists) a one-to-one pairing of rows with cols matches; rows <= cols. */
        private int pair(List<Detection> rows, List<Detection> cols) {
            int[][] weight = new int[rows.size()][cols.size()];
            for (int i = 0; i < rows.size(); i++) {
                for (int j = 0; j < cols.size(); j++) {
                    Detection r = rows.get(i);
                    Detection c = cols.get(j);
                    weight[i][j] = matches(r, c) ? (confident(r) ? 1 : 0) + (confident(c) ? 1 : 0) : 0;
                }
            }
            return maxWeightAssignment(weight);
        }
    }

    Agreement plus(Agreement other) {
        return new Agreement(confident + other.confident, matched + other.matched);
    }

    /** The matched fraction; 1 when neither side has a confident detection (nothing to disagree on). */
    double fraction() {
        return confident == 0 ? 1.0 : (double) matched / confident;
    }

    static float iou(Detection a, Detection b) {
        float iw = Math.max(0f, Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1()));
        float ih = Math.max(0f, Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1()));
        float inter = iw * ih;
        float union = (a.x2() - a.x1()) * (a.y2() - a.y1()) + (b.x2() - b.x1()) * (b.y2() - b.y1()) - inter;
        return union > 0f ? inter / union : 0f;
    }

    /**
     * The largest total weight of an assignment of every row to its own column (rows <= columns): the
     * tracker's minimum-cost assignment on the negated weights.
     */
    static int maxWeightAssignment(int[][] weight) {
        int n = weight.length;
        if (n == 0) {
            return 0;
        }
        int m = weight[0].length;
        double[] cost = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                cost[i * m + j] = -weight[i][j];
            }
        }
        int[] column = Hungarian.assign(cost, n, m);
        int total = 0;
        for (int i = 0; i < n; i++) {
            if (column[i] >= 0) {
                total += weight[i][column[i]];
            }
        }
        return total;
    }
}
