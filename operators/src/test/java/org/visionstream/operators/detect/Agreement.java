package org.visionstream.operators.detect;

import java.util.Arrays;
import java.util.List;

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
     * The largest total weight of an assignment of every row to its own column (rows <= columns), by the
     * Hungarian method with potentials on the negated weights; O(rows^2 * columns), a few milliseconds
     * for the model's 100 detections.
     */
    static int maxWeightAssignment(int[][] weight) {
        int n = weight.length;
        if (n == 0) {
            return 0;
        }
        int m = weight[0].length;
        // 1-based; column 0 is the virtual start of each augmenting path, colRow[j] the row column j holds.
        int[] rowPotential = new int[n + 1];
        int[] colPotential = new int[m + 1];
        int[] colRow = new int[m + 1];
        int[] previous = new int[m + 1];
        for (int i = 1; i <= n; i++) {
            colRow[0] = i;
            int j0 = 0;
            int[] slack = new int[m + 1];
            Arrays.fill(slack, Integer.MAX_VALUE);
            boolean[] used = new boolean[m + 1];
            do {
                used[j0] = true;
                int i0 = colRow[j0];
                int delta = Integer.MAX_VALUE;
                int j1 = 0;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        int reduced = -weight[i0 - 1][j - 1] - rowPotential[i0] - colPotential[j];
                        if (reduced < slack[j]) {
                            slack[j] = reduced;
                            previous[j] = j0;
                        }
                        if (slack[j] < delta) {
                            delta = slack[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        rowPotential[colRow[j]] += delta;
                        colPotential[j] -= delta;
                    } else {
                        slack[j] -= delta;
                    }
                }
                j0 = j1;
            } while (colRow[j0] != 0);
            do {
                int j1 = previous[j0];
                colRow[j0] = colRow[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int total = 0;
        for (int j = 1; j <= m; j++) {
            if (colRow[j] != 0) {
                total += weight[colRow[j] - 1][j - 1];
            }
        }
        return total;
    }
}
